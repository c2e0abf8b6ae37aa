// The in-page player: one <audio> element and a queue over the page's [data-player-track] rows.
// Plays them in order (the next starts when one ends), with Previous / Next buttons, per-track
// Play buttons, the keys N / P / K and the media keys (Media Session API).
(() => {
  "use strict";

  const RESTART_AFTER_SECONDS = 3;

  function setUp(root) {
    const audio = root.querySelector("[data-player-audio]");
    const now = root.querySelector("[data-player-now]");
    const rows = Array.from(root.querySelectorAll("[data-player-track]"));
    if (!audio || rows.length === 0) return;
    let current = 0;

    function mark(index) {
      rows.forEach((row, i) => {
        if (i === index) row.setAttribute("aria-current", "true");
        else row.removeAttribute("aria-current");
      });
    }

    function announce(row) {
      // The lyrics panel (lyrics.js) follows the track that is loaded.
      root.dispatchEvent(new CustomEvent("player:track", { detail: { lyrics: row.dataset.lyrics || "" } }));
    }

    function load(index) {
      const row = rows[index];
      current = index;
      mark(index);
      audio.src = row.dataset.src;
      announce(row);
      now.textContent = `${row.dataset.title} · ${row.dataset.artist}`;
      if ("mediaSession" in navigator && "MediaMetadata" in window) {
        navigator.mediaSession.metadata = new MediaMetadata({
          title: row.dataset.title,
          artist: row.dataset.artist,
        });
      }
    }

    function play(index) {
      if (index < 0 || index >= rows.length) return;
      load(index);
      // A browser may refuse to start without a user gesture; the controls stay usable then.
      audio.play().catch(() => {});
    }

    function next() {
      if (current + 1 < rows.length) play(current + 1);
    }

    function previous() {
      // Like every music player: the first press goes back to the start of the song.
      if (audio.currentTime > RESTART_AFTER_SECONDS || current === 0) audio.currentTime = 0;
      else play(current - 1);
    }

    function toggle() {
      if (audio.paused) audio.play().catch(() => {});
      else audio.pause();
    }

    audio.addEventListener("ended", next);
    audio.addEventListener("error", () => {
      rows[current].dataset.playerError = "true";
      now.textContent = `Cannot play ${rows[current].dataset.title}.`;
    });
    root.addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target : null;
      if (!target) return;
      if (target.closest("[data-player-next]")) next();
      else if (target.closest("[data-player-previous]")) previous();
      else if (target.closest("[data-player-play]")) {
        play(rows.indexOf(target.closest("[data-player-track]")));
      }
    });
    document.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
      const actions = { n: next, p: previous, k: toggle };
      const action = actions[event.key.toLowerCase()];
      if (action) {
        event.preventDefault();
        action();
      }
    });
    if ("mediaSession" in navigator) {
      navigator.mediaSession.setActionHandler("nexttrack", next);
      navigator.mediaSession.setActionHandler("previoustrack", previous);
    }
    mark(0);
    announce(rows[0]);
  }

  function isTyping(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  }

  document.querySelectorAll("[data-player]").forEach(setUp);
})();
