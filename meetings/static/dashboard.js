/* Draws each dashboard chart from the JSON in its canvas's data-chart
   attribute: no inline script, so a strict Content-Security-Policy holds. */
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var palette = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#6c757d"];
  function percent(value) { return value + "%"; }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    var hasY1 = spec.datasets.some(function (d) { return d.axis === "y1"; });
    var datasets = spec.datasets.map(function (d, i) {
      var colour = palette[i % palette.length];
      return { label: d.label, data: d.data, type: d.type, yAxisID: d.axis,
               backgroundColor: colour, borderColor: colour, tension: 0.2, spanGaps: true,
               order: d.type === "line" ? 0 : 1 };
    });
    var scales = {
      x: { stacked: spec.stacked, ticks: { autoSkip: true, maxRotation: 60 } },
      y: { beginAtZero: true, stacked: spec.stacked,
           ticks: spec.percent ? { callback: percent } : (spec.integer ? { precision: 0 } : {}) }
    };
    if (hasY1) {
      scales.y1 = { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
                    ticks: spec.y1_percent ? { callback: percent } : {} };
    }
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: scales,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }
      }
    });
  });
})();
