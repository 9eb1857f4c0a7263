/* Styrbord: draw every chart container (lib/charts.py chart_html) with the vendored vega-embed.
   The spec sits in a JSON data block next to the container, so no inline script is needed, and
   expressions run through vega-interpreter, so the Content-Security-Policy needs no unsafe-eval. */
(function () {
  "use strict";
  var numberLocale = { decimal: ",", thousands: ".", grouping: [3], currency: ["", " kr."] };
  function options() {
    var opts = { actions: false, renderer: "svg", formatLocale: numberLocale };
    if (window.vegaInterpreter) {
      opts.ast = true;
      opts.expr = window.vegaInterpreter.expressionInterpreter;
    }
    return opts;
  }
  function draw(root) {
    if (typeof window.vegaEmbed === "undefined") { return; }
    (root || document).querySelectorAll("[data-vega-spec]:not([data-drawn])").forEach(function (el) {
      var block = document.getElementById(el.getAttribute("data-vega-spec"));
      if (!block) { return; }
      el.setAttribute("data-drawn", "1");
      window.vegaEmbed(el, JSON.parse(block.textContent), options())
        .then(function () { el.setAttribute("data-rendered", "1"); })
        .catch(function (err) { el.setAttribute("data-error", String(err)); el.textContent = String(err); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  } else {
    draw(document);
  }
  document.addEventListener("htmx:afterSwap", function (e) { draw(e.target); });
})();
