// Renders every server-built plotly figure: <div class="chart" data-figure="ID"> reads the JSON
// from <script type="application/json" id="ID">. No inline script (CSP: script-src 'self').
(function () {
  "use strict";
  function render() {
    document.querySelectorAll("div.chart[data-figure]").forEach(function (el) {
      var block = document.getElementById(el.dataset.figure);
      if (!block || !window.Plotly) { return; }
      var fig = JSON.parse(block.textContent);
      var config = { responsive: true, displaylogo: false };
      window.Plotly.newPlot(el, fig.data || [], fig.layout || {}, config);
    });
  }
  // <select data-reload="PARAM">: choosing an option reloads the page with ?PARAM=value
  // (the scenario form loads that scenario's parameters; a button does the same without JS).
  function wireReloads() {
    document.querySelectorAll("select[data-reload]").forEach(function (sel) {
      sel.addEventListener("change", function () {
        var url = new URL(window.location.href);
        url.search = "";
        url.searchParams.set(sel.dataset.reload, sel.value);
        window.location.assign(url.toString());
      });
    });
  }
  // A chart drawn inside a closed <details> has no width yet: size it when it is opened.
  function wireDetails() {
    document.querySelectorAll("details").forEach(function (box) {
      box.addEventListener("toggle", function () {
        if (!box.open || !window.Plotly) { return; }
        box.querySelectorAll("div.chart[data-figure]").forEach(function (el) {
          window.Plotly.Plots.resize(el);
        });
      });
    });
  }
  function start() { render(); wireReloads(); wireDetails(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
