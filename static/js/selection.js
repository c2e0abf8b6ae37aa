// Track selection on browse pages: checkboxes, "select all", shift-click ranges, and the
// selection form's target. Pages without this file still work: "ZIP of selection" posts the
// checked boxes as they are. Listeners sit on the document, so rows htmx swaps in (filter,
// pager) work without rebinding.
"use strict";

(() => {
  const ROW = "input[data-select-row]";
  // A download job's target is one field of at most 4,000 characters: 170 ids of 22 and a space.
  const MAX_IDS = 170;
  let lastClicked = null;

  const rows = () => Array.from(document.querySelectorAll(ROW));
  const checkedIds = () => rows().filter((box) => box.checked).map((box) => box.value);

  function update() {
    const form = document.getElementById("selection-form");
    if (!form) return;
    const all = rows();
    const ids = [...new Set(checkedIds())];
    const count = form.querySelector("[data-selection-count]");
    if (count) {
      count.textContent = ids.length
        ? `${ids.length} track${ids.length === 1 ? "" : "s"} selected`
        : "Select tracks to download some of them";
    }
    for (const button of form.querySelectorAll("[data-selection-action]")) {
      button.disabled = ids.length === 0;
    }
    form.hidden = all.length === 0;
    for (const selectAll of document.querySelectorAll("input[data-select-all]")) {
      const table = selectAll.closest("[data-track-table]");
      const boxes = table ? Array.from(table.querySelectorAll(ROW)) : all;
      const on = boxes.filter((box) => box.checked).length;
      selectAll.checked = boxes.length > 0 && on === boxes.length;
      selectAll.indeterminate = on > 0 && on < boxes.length;
    }
  }

  function selectRange(from, to, checked) {
    const all = rows();
    const [start, end] = [all.indexOf(from), all.indexOf(to)].sort((a, b) => a - b);
    if (start < 0) return;
    for (const box of all.slice(start, end + 1)) box.checked = checked;
  }

  document.addEventListener("click", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement)) return;
    if (box.matches(ROW)) {
      // Shift+Space on a focused box arrives here too, as a click with shiftKey set.
      if (event.shiftKey && lastClicked && lastClicked !== box && document.contains(lastClicked)) {
        selectRange(lastClicked, box, box.checked);
      }
      lastClicked = box;
      update();
    } else if (box.matches("input[data-select-all]")) {
      const table = box.closest("[data-track-table]");
      const boxes = table ? table.querySelectorAll(ROW) : rows();
      for (const row of boxes) row.checked = box.checked;
      update();
    }
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.id !== "selection-form") return;
    const ids = [...new Set(checkedIds())];
    const count = form.querySelector("[data-selection-count]");
    if (ids.length === 0) {
      event.preventDefault();
      if (count) count.textContent = "Select at least one track first.";
      return;
    }
    const zip = event.submitter && event.submitter.hasAttribute("formaction");
    if (!zip && ids.length > MAX_IDS) {
      event.preventDefault();
      if (count) {
        count.textContent = `Up to ${MAX_IDS} tracks at once: download the whole list instead.`;
      }
      return;
    }
    form.querySelector("[data-selection-target]").value = ids.join(" ");
  });

  document.addEventListener("DOMContentLoaded", update);
  // New rows arrived (filter, next page): nothing in them is selected yet.
  document.addEventListener("htmx:afterSettle", () => {
    lastClicked = null;
    update();
  });
})();
