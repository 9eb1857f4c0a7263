/* Styrbord's own script (no inline script: the Content-Security-Policy allows none).
 *
 * A table too wide for its frame scrolls sideways inside the frame. Keyboard users must be able
 * to scroll it too (WCAG 2.1.1): while a frame scrolls, it becomes a focusable region named after
 * its table (caption, the heading before it, or else "Tabel"), so Tab reaches it and the arrow
 * keys scroll it. Checked on load, after HTMX swaps and when the window is resized.
 */
(function () {
  "use strict";

  function nameOf(frame) {
    var caption = frame.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    for (var el = frame.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[1-6]$/.test(el.tagName) && el.textContent.trim()) {
        return el.textContent.trim();
      }
    }
    return document.body.getAttribute("data-table-label") || "Tabel";
  }

  function update() {
    var frames = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      var scrolls = frame.scrollWidth > frame.clientWidth + 1;
      if (scrolls && !frame.hasAttribute("tabindex")) {
        frame.setAttribute("tabindex", "0");
        frame.setAttribute("role", "region");
        frame.setAttribute("aria-label", nameOf(frame));
        frame.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && frame.hasAttribute("data-scroll-focus")) {
        frame.removeAttribute("tabindex");
        frame.removeAttribute("role");
        frame.removeAttribute("aria-label");
        frame.removeAttribute("data-scroll-focus");
      }
    }
  }

  var pending = null;
  function later() {
    if (pending === null) {
      pending = window.setTimeout(function () {
        pending = null;
        update();
      }, 100);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  window.addEventListener("load", update);
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", update);
})();
