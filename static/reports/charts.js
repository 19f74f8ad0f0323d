// The KPI page's charts (templates/reports/_chart.html): each <canvas data-chart="ID"> is drawn by
// Chart.js from the JSON of the <script type="application/json" id="ID"> that json_script wrote
// beside it; the same figures are in the table next to it. Bundled by esbuild into
// static/build/reports/charts.js (`npm run build:reports`, run by `make install`).
import Chart from "chart.js/auto";

const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
  const source = document.getElementById(canvas.dataset.chart);
  if (!source) continue;
  const spec = JSON.parse(source.textContent);
  const chart = new Chart(canvas, {
    type: spec.type,
    data: { labels: spec.labels, datasets: spec.datasets },
    options: {
      indexAxis: spec.horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      animation: reduceMotion ? false : { duration: 300 },
      plugins: { legend: { display: spec.datasets.length > 1 } },
      scales: { [spec.horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  canvas.dataset.chartReady = String(chart.data.labels.length);
}
