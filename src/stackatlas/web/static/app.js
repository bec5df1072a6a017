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
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
