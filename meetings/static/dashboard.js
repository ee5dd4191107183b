/* Draws each dashboard chart from the JSON in its canvas's data-chart
   attribute: no inline script, so a strict Content-Security-Policy holds. */
(function () {
  "use strict";
  document.querySelectorAll(".dashboard-section .show-all").forEach(function (button) {
    button.addEventListener("click", function () {
      var section = button.closest(".dashboard-section");
      var all = section.classList.toggle("all-columns");
      button.textContent = all ? button.dataset.less : button.dataset.more;
      button.setAttribute("aria-expanded", all ? "true" : "false");
    });
  });
  if (!window.Chart) { return; }
  var palette = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#6c757d"];
  function percent(value) { return value + "%"; }
  // money for a Chinese reader: 12300 → "1.23万", 800 → "800"
  function wan(value) {
    if (Math.abs(value) >= 10000) {
      return (value / 10000).toFixed(2).replace(/\.?0+$/, "") + "万";
    }
    return String(Math.round(value * 100) / 100);
  }
  function ticks(isPercent, isMoney, isInteger) {
    if (isPercent) return { callback: percent };
    if (isMoney) return { callback: wan };
    return isInteger ? { precision: 0 } : {};
  }

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
           ticks: ticks(spec.percent, spec.money, spec.integer) }
    };
    if (hasY1) {
      scales.y1 = { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
                    ticks: ticks(spec.y1_percent, false, spec.y1_integer) };
    }
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: scales,
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: spec.money ? { callbacks: { label: function (item) {
            return item.dataset.label + ": " + wan(item.parsed.y);
          } } } : {}
        }
      }
    });
  });
})();
