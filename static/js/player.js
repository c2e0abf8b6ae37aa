// The player: one <audio> element in a bar fixed at the bottom of the player's pages, and a queue
// over the whole list in order. A page shows PER_PAGE rows; the queue reads the neighbouring
// pages (the same HTML, parsed) when playback runs past this one, and the pager swaps pages in
// place so the music keeps playing. The track and its position are kept in localStorage and come
// back after a reload. Keys: Space / K play or pause, N next, P previous, arrows seek.
(() => {
  "use strict";

  const RESTART_AFTER_SECONDS = 3;
  const SEEK_STEP_SECONDS = 5;
  const SAVE_EVERY_MS = 1000;
  const STORE_KEY = "spotifydl.player";

  function clock(seconds) {
    if (!Number.isFinite(seconds) || seconds < 0) return "0:00";
    const whole = Math.floor(seconds);
    return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
  }

  function entryOf(row) {
    const data = row.dataset;
    return {
      index: Number(data.index),
      src: data.src,
      title: data.title,
      artist: data.artist,
      cover: data.cover || "",
      lyrics: data.lyrics || "",
    };
  }

  function readSaved() {
    try {
      return JSON.parse(localStorage.getItem(STORE_KEY) || "null");
    } catch {
      return null; // storage off (private mode) or a value from elsewhere: start afresh
    }
  }

  function isTyping(target) {
    if (!(target instanceof HTMLElement)) return false;
    if (target instanceof HTMLInputElement) return !["range", "checkbox", "radio"].includes(target.type);
    return target.isContentEditable || ["TEXTAREA", "SELECT"].includes(target.tagName);
  }

  function setUp(root) {
    const bar = root.querySelector("[data-player-bar]");
    const audio = root.querySelector("[data-player-audio]");
    if (!bar || !audio) return;
    const ui = {
      cover: bar.querySelector("[data-player-cover]"),
      title: bar.querySelector("[data-player-now-title]"),
      artist: bar.querySelector("[data-player-now-artist]"),
      toggle: bar.querySelector("[data-player-toggle]"),
      seek: bar.querySelector("[data-player-seek]"),
      elapsed: bar.querySelector("[data-player-elapsed]"),
      duration: bar.querySelector("[data-player-duration]"),
    };
    const queue = root.dataset.playerQueue;
    const perPage = Number(root.dataset.playerPerPage);
    const total = Number(root.dataset.playerTotal);
    // Page number -> Promise of { list: the page's [data-player-list] element, rows: entries }.
    const pages = new Map();
    let shownPage = Number(root.dataset.playerPage);
    let current = null;
    let ticket = 0;
    let dragging = false;
    let savedAt = 0;

    const pageOf = (index) => Math.floor(index / perPage) + 1;
    const liveList = () => root.querySelector("[data-player-list]");

    function pageUrl(number) {
      const url = new URL(queue, window.location.href);
      url.searchParams.set("page", String(number));
      return url;
    }

    function remember(number, list) {
      const rows = Array.from(list.querySelectorAll("[data-player-track]"), entryOf);
      pages.set(number, Promise.resolve({ list, rows }));
    }

    function fetchPage(number) {
      if (!pages.has(number)) {
        const asked = fetch(pageUrl(number), { credentials: "same-origin" })
          .then((answer) => {
            if (!answer.ok) throw new Error(`page ${number}: HTTP ${answer.status}`);
            return answer.text();
          })
          .then((html) => {
            const parsed = new DOMParser().parseFromString(html, "text/html");
            const list = document.importNode(parsed.querySelector("[data-player-list]"), true);
            return { list, rows: Array.from(list.querySelectorAll("[data-player-track]"), entryOf) };
          });
        pages.set(number, asked);
        asked.catch(() => pages.delete(number)); // asked again next time
      }
      return pages.get(number);
    }

    async function entryAt(index) {
      if (index < 0 || index >= total) return null;
      const page = await fetchPage(pageOf(index));
      return page.rows.find((entry) => entry.index === index) || null;
    }

    // --- what the page shows --------------------------------------------------------------------

    function showState() {
      const playing = current !== null && !audio.paused;
      ui.toggle.dataset.icon = playing ? "pause" : "play";
      ui.toggle.setAttribute("aria-label", playing ? "Pause" : "Play");
      root.querySelectorAll("[data-player-track]").forEach((row) => {
        const mine = current !== null && Number(row.dataset.index) === current.index;
        const button = row.querySelector("[data-player-play]");
        const rowPlaying = mine && playing;
        if (mine) row.setAttribute("aria-current", "true");
        else row.removeAttribute("aria-current");
        button.dataset.icon = rowPlaying ? "pause" : "play";
        button.setAttribute(
          "aria-label", `${rowPlaying ? "Pause" : "Play"} ${row.dataset.title} by ${row.dataset.artist}`,
        );
      });
    }

    function showTime() {
      const duration = Number.isFinite(audio.duration) ? audio.duration : 0;
      ui.seek.max = String(duration);
      if (!dragging) ui.seek.value = String(audio.currentTime);
      const at = dragging ? Number(ui.seek.value) : audio.currentTime;
      ui.elapsed.textContent = clock(at);
      if (duration) ui.duration.textContent = clock(duration);
      ui.seek.setAttribute("aria-valuetext", `${clock(at)} of ${clock(duration)}`);
    }

    function showEntry(entry) {
      ui.title.textContent = entry.title;
      ui.artist.textContent = entry.artist;
      if (entry.cover) ui.cover.src = entry.cover;
      else ui.cover.removeAttribute("src");
      ui.cover.hidden = !entry.cover;
      if ("mediaSession" in navigator && "MediaMetadata" in window) {
        navigator.mediaSession.metadata = new MediaMetadata({
          title: entry.title,
          artist: entry.artist,
          artwork: entry.cover ? [{ src: entry.cover }] : [],
        });
      }
    }

    async function showPage(number, { push }) {
      const page = await fetchPage(number);
      const live = liveList();
      if (live !== page.list) {
        remember(shownPage, live);
        live.replaceWith(page.list);
      }
      shownPage = number;
      root.dataset.playerPage = String(number);
      if (push) window.history.pushState({ playerPage: number }, "", pageUrl(number));
      showState();
    }

    // --- playing ----------------------------------------------------------------------------------

    function save() {
      if (current === null) return;
      savedAt = Date.now();
      const state = { queue, entry: current, time: audio.currentTime };
      try {
        localStorage.setItem(STORE_KEY, JSON.stringify(state));
      } catch {
        // Full or off: the player works, it just will not remember.
      }
    }

    function load(entry, at = 0) {
      current = entry;
      audio.src = entry.src;
      if (at > 0) {
        audio.addEventListener("loadedmetadata", () => { audio.currentTime = at; }, { once: true });
      }
      showEntry(entry);
      showState();
      showTime();
      // The lyrics panel (lyrics.js) follows the track that is loaded.
      root.dispatchEvent(new CustomEvent("player:track", { detail: { lyrics: entry.lyrics } }));
    }

    // The nearest entry from `index` on in `direction` (a file gone from disk leaves a gap).
    async function entryFrom(index, direction) {
      for (let at = index; at >= 0 && at < total; at += direction) {
        const entry = await entryAt(at);
        if (entry) return entry;
      }
      return null;
    }

    async function play(index, direction = 1) {
      const asked = ++ticket;
      const entry = await entryFrom(index, direction).catch(() => null);
      if (!entry || asked !== ticket) return;
      // The list follows the music onto the next page, unless the person went to look elsewhere.
      const following = current === null || pageOf(current.index) === shownPage;
      load(entry);
      audio.play().catch(() => {});
      save();
      if (following && pageOf(entry.index) !== shownPage) showPage(pageOf(entry.index), { push: true });
    }

    function toggle() {
      if (current === null) return;
      if (audio.paused) audio.play().catch(() => {});
      else audio.pause();
    }

    function next() {
      if (current !== null && current.index + 1 < total) play(current.index + 1);
    }

    function previous() {
      if (current === null) return;
      // Like every music player: the first press goes back to the start of the song.
      if (audio.currentTime > RESTART_AFTER_SECONDS || current.index === 0) audio.currentTime = 0;
      else play(current.index - 1, -1);
    }

    function seekBy(seconds) {
      if (current === null || !Number.isFinite(audio.duration)) return;
      audio.currentTime = Math.min(Math.max(audio.currentTime + seconds, 0), audio.duration);
    }

    // --- events -----------------------------------------------------------------------------------

    audio.addEventListener("ended", next);
    audio.addEventListener("play", showState);
    audio.addEventListener("pause", () => { showState(); save(); });
    audio.addEventListener("loadedmetadata", showTime);
    audio.addEventListener("durationchange", showTime);
    audio.addEventListener("seeked", () => { showTime(); save(); });
    audio.addEventListener("timeupdate", () => {
      showTime();
      if (Date.now() - savedAt >= SAVE_EVERY_MS) save();
    });
    audio.addEventListener("error", () => {
      if (current === null) return;
      root.querySelectorAll(`[data-player-track][data-index="${current.index}"]`)
        .forEach((row) => { row.dataset.playerError = "true"; });
      ui.title.textContent = `Cannot play ${current.title}.`;
    });
    window.addEventListener("pagehide", save);

    ui.seek.addEventListener("input", () => { dragging = true; showTime(); });
    ui.seek.addEventListener("change", () => {
      dragging = false;
      if (current !== null) audio.currentTime = Number(ui.seek.value);
    });

    root.addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target : null;
      if (!target) return;
      const goto = target.closest("[data-player-goto]");
      if (target.closest("[data-player-next]")) next();
      else if (target.closest("[data-player-previous]")) previous();
      else if (target.closest("[data-player-toggle]")) toggle();
      else if (target.closest("[data-player-play]")) {
        const index = Number(target.closest("[data-player-track]").dataset.index);
        if (current !== null && current.index === index) toggle();
        else play(index);
      } else if (goto) {
        event.preventDefault();
        showPage(Number(goto.dataset.playerGoto), { push: true }).then(() => {
          const list = liveList();
          list.focus({ preventScroll: true });
          list.scrollIntoView({ block: "start" });
        }, () => { window.location.href = goto.href; });
      }
    });

    window.addEventListener("popstate", () => {
      const number = Number(new URL(window.location.href).searchParams.get("page")) || 1;
      if (number !== shownPage) showPage(number, { push: false }).catch(() => window.location.reload());
    });

    document.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
      const onControl = event.target instanceof Element &&
        event.target.closest("button, a, summary, input, [role=button]");
      // The seek slider moves itself with the arrows.
      const onSlider = event.target === ui.seek;
      const actions = {
        n: next,
        p: previous,
        k: toggle,
        " ": onControl ? null : toggle, // Space on a button presses that button
        arrowleft: onSlider ? null : () => seekBy(-SEEK_STEP_SECONDS),
        arrowright: onSlider ? null : () => seekBy(SEEK_STEP_SECONDS),
      };
      const action = actions[event.key.toLowerCase()];
      if (action) {
        event.preventDefault();
        action();
      }
    });

    if ("mediaSession" in navigator) {
      const handlers = {
        play: () => { if (current !== null) audio.play().catch(() => {}); },
        pause: () => audio.pause(),
        nexttrack: next,
        previoustrack: previous,
        seekto: (details) => { audio.currentTime = details.seekTime; },
      };
      for (const [action, handler] of Object.entries(handlers)) {
        try {
          navigator.mediaSession.setActionHandler(action, handler);
        } catch {
          // An action this browser does not know.
        }
      }
    }

    // The bar covers the bottom of the window: keep that much room below the page's last row.
    new ResizeObserver(() => {
      document.documentElement.style.setProperty("--player-bar-space", `${bar.offsetHeight}px`);
    }).observe(bar);

    remember(shownPage, liveList());
    const saved = readSaved();
    if (saved && saved.queue === queue && saved.entry && saved.entry.index < total) {
      load(saved.entry, Number(saved.time) || 0);
    } else {
      const first = root.querySelector("[data-player-track]");
      if (first) load(entryOf(first));
    }
  }

  document.querySelectorAll("[data-player]").forEach(setUp);
})();
