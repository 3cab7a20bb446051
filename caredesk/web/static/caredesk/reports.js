// Reports: draws each chart from the figures the page carries as JSON (<script type="application/json">),
// with the vendored Chart.js. No inline code: the Content-Security-Policy allows none.
(function () {
  "use strict";
  const COLOURS = ["#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.figure);
    if (!source || typeof Chart === "undefined") return;
    const figure = JSON.parse(source.textContent);
    const doughnut = figure.chart === "doughnut";
    const datasets = figure.series.map((series, index) => ({
      label: series.label,
      data: series.data,
      backgroundColor: doughnut ? COLOURS.slice(0, series.data.length) : COLOURS[index % COLOURS.length],
      borderColor: doughnut ? "#fff" : COLOURS[index % COLOURS.length],
      fill: false,
      tension: 0.2,
    }));
    const scales = doughnut ? {} : {
      x: {stacked: figure.stacked},
      y: {stacked: figure.stacked, beginAtZero: true},
    };
    new Chart(canvas, {
      type: figure.chart,
      data: {labels: figure.labels, datasets: datasets},
      options: {animation: false, responsive: true, maintainAspectRatio: false, scales: scales,
                plugins: {legend: {display: datasets.length > 1 || doughnut}}},
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-figure]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
