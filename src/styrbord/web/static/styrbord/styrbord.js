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

/* A form is sent once. A second click on its button (or Enter pressed again) while the first
 * request is on its way is ignored, so a double click cannot book, post or register twice. The
 * form is marked busy (aria-busy) meanwhile. It can be sent again after a few seconds, when the
 * answer was a download (the page stays) or the connection failed, and when the page is shown
 * again from the browser's history. The server still refuses what must not happen twice (an
 * accepted plan, a posted booking, a certificate of the same day); this spares the user the
 * message.
 */
(function () {
  "use strict";

  var RELEASE_AFTER_MS = 4000;

  function release(form) {
    form.removeAttribute("data-sending");
    form.removeAttribute("aria-busy");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.getAttribute("method") || "").toLowerCase() !== "post") {
      return;
    }
    if (form.hasAttribute("data-sending")) {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) {
      return; // another script handles this submit
    }
    form.setAttribute("data-sending", "");
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () {
      release(form);
    }, RELEASE_AFTER_MS);
  });

  window.addEventListener("pageshow", function () {
    var busy = document.querySelectorAll("form[data-sending]");
    for (var i = 0; i < busy.length; i++) {
      release(busy[i]);
    }
  });
})();

/* Fields that matter for one choice only: an element with data-show-when="SELECT_ID=v1,v2" is
 * shown while the select with that id has one of the values, and hidden otherwise (e.g. a
 * facility manager's facilities on the user form). Without script every field shows; the server
 * ignores what does not belong to the choice.
 */
(function () {
  "use strict";

  function apply() {
    var dependants = document.querySelectorAll("[data-show-when]");
    for (var i = 0; i < dependants.length; i++) {
      var rule = dependants[i].getAttribute("data-show-when").split("=");
      var select = document.getElementById(rule[0]);
      if (!select) {
        continue;
      }
      dependants[i].hidden = (rule[1] || "").split(",").indexOf(select.value) === -1;
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target instanceof HTMLSelectElement && document.querySelector("[data-show-when^='" + event.target.id + "=']")) {
      apply();
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", apply);
  } else {
    apply();
  }
  window.addEventListener("pageshow", apply);
})();

/* A table filtered in the page (nothing typed leaves the browser): an <input data-filter-table=
 * "TABLE_ID"> hides the rows of that table's <tbody> that lack any of the words typed (case and
 * Danish letters aside). Its box ([data-filter-box], hidden without script) is shown, and an
 * element [data-filter-count] in it says how many rows show, from its data-shown-text
 * ("Viser {shown} af {total}.").
 */
(function () {
  "use strict";

  function setUp(input) {
    var table = document.getElementById(input.getAttribute("data-filter-table"));
    if (!table) {
      return;
    }
    var box = input.closest("[data-filter-box]");
    var count = box ? box.querySelector("[data-filter-count]") : null;
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    var texts = rows.map(function (row) {
      return row.textContent.toLocaleLowerCase("da");
    });
    if (box) {
      box.hidden = false;
    }
    input.addEventListener("input", function () {
      var words = input.value.toLocaleLowerCase("da").split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row, i) {
        var match = words.every(function (word) {
          return texts[i].indexOf(word) !== -1;
        });
        row.hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      if (count) {
        count.textContent = words.length
          ? (count.getAttribute("data-shown-text") || "{shown} / {total}")
              .replace("{shown}", String(shown))
              .replace("{total}", String(rows.length))
          : "";
      }
    });
  }

  function start() {
    var inputs = document.querySelectorAll("input[data-filter-table]");
    for (var i = 0; i < inputs.length; i++) {
      setUp(inputs[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
