// Synced lyrics beside the player: fetches the loaded track's .lrc (when it has one), shows its
// lines, and highlights the line being sung as the audio plays, scrolling it into view.
(() => {
  "use strict";

  const STAMP = /\[(\d+):(\d+(?:\.\d+)?)\]/g;

  function parse(text) {
    const lines = [];
    for (const raw of text.split(/\r?\n/)) {
      const stamps = Array.from(raw.matchAll(STAMP));
      if (stamps.length === 0) continue;
      const last = stamps[stamps.length - 1];
      const words = raw.slice(last.index + last[0].length).trim();
      for (const stamp of stamps) lines.push({ at: Number(stamp[1]) * 60 + Number(stamp[2]), words });
    }
    return lines.sort((a, b) => a.at - b.at);
  }

  function setUp(root) {
    const panel = root.querySelector("[data-player-lyrics]");
    const list = root.querySelector("[data-player-lyrics-lines]");
    const audio = root.querySelector("[data-player-audio]");
    if (!panel || !list || !audio) return;
    let lines = [];
    let shown = -1;
    let asked = 0;

    function show(index) {
      if (index === shown) return;
      const items = list.children;
      if (shown >= 0 && items[shown]) items[shown].removeAttribute("aria-current");
      shown = index;
      if (index < 0 || !items[index]) return;
      items[index].setAttribute("aria-current", "true");
      list.scrollTo({ top: items[index].offsetTop - list.clientHeight / 2, behavior: "smooth" });
    }

    function follow() {
      const time = audio.currentTime;
      let index = -1;
      while (index + 1 < lines.length && lines[index + 1].at <= time) index += 1;
      show(index);
    }

    async function track(url) {
      const ticket = ++asked;
      lines = [];
      shown = -1;
      list.replaceChildren();
      panel.hidden = true;
      if (!url) return;
      const answer = await fetch(url, { credentials: "same-origin" }).catch(() => null);
      if (!answer || !answer.ok || ticket !== asked) return;
      lines = parse(await answer.text());
      if (ticket !== asked || lines.length === 0) return;
      list.replaceChildren(...lines.map((line) => {
        const item = document.createElement("li");
        item.textContent = line.words || "♪";
        item.dataset.at = String(line.at);
        return item;
      }));
      panel.hidden = false;
      follow();
    }

    root.addEventListener("player:track", (event) => track(event.detail.lyrics));
    audio.addEventListener("timeupdate", follow);
    audio.addEventListener("seeked", follow);
  }

  document.querySelectorAll("[data-player]").forEach(setUp);
})();
