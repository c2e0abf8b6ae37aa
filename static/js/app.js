// Small progressive enhancements shared by every page. Pages work without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Messages fade once read; keyboard and screen-reader users still get them via role=status.
  for (const message of document.querySelectorAll(".message")) {
    message.addEventListener("click", () => message.remove());
  }
});
