// Small progressive enhancements shared by every page. Pages work without this file.
"use strict";

// The phone menu: the button shows and hides the main navigation; Escape closes it.
function setUpMenu() {
  const button = document.querySelector("[data-menu-button]");
  const header = button && button.closest(".site-header");
  if (!header) return;
  const setOpen = (open) => {
    button.setAttribute("aria-expanded", String(open));
    header.dataset.menu = open ? "open" : "closed";
  };
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  header.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.dataset.menu === "open") {
      setOpen(false);
      button.focus();
    }
  });
}

// A row of links wider than its box scrolls sideways: say which edges have more (the CSS fades
// them), and bring the current page's link into view.
function setUpScrollRows() {
  const rows = document.querySelectorAll(".scroll-row");
  const mark = (row) => {
    const more = [];
    if (row.scrollLeft > 2) more.push("start");
    if (row.scrollLeft + row.clientWidth < row.scrollWidth - 2) more.push("end");
    row.dataset.more = more.join(" ");
  };
  for (const row of rows) {
    const current = row.querySelector('[aria-current="page"]');
    if (current && row.scrollWidth > row.clientWidth) {
      const offset = current.getBoundingClientRect().left - row.getBoundingClientRect().left;
      row.scrollLeft = offset - (row.clientWidth - current.offsetWidth) / 2;
    }
    mark(row);
    row.addEventListener("scroll", () => mark(row), { passive: true });
  }
  window.addEventListener("resize", () => rows.forEach(mark));
}

// On a phone a table's rows stack their cells (see app.css): give each cell its column's name.
function labelTableCells(root) {
  for (const table of root.querySelectorAll("table")) {
    const headings = [...table.querySelectorAll("thead th")].map((th) =>
      th.querySelector(".visually-hidden") ? "" : th.textContent.trim(),
    );
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.cells].forEach((cell, index) => {
        const label = headings[index] || "";
        if (label.length > 1 && !cell.dataset.label) cell.dataset.label = label;
      });
    }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  setUpMenu();
  setUpScrollRows();
  labelTableCells(document);
  // Messages fade once read; keyboard and screen-reader users still get them via role=status.
  for (const message of document.querySelectorAll(".message")) {
    message.addEventListener("click", () => message.remove());
  }
});

// Rows htmx swaps in (a filtered track list, more results) get their labels too.
document.addEventListener("htmx:afterSwap", () => labelTableCells(document));
