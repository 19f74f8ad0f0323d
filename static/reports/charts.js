// The KPI page's charts (templates/reports/_chart.html): each <canvas data-chart="ID"> is drawn by
// Chart.js from the JSON of the <script type="application/json" id="ID"> that json_script wrote
// beside it; the same figures are in the table next to it. Bundled by esbuild into
// static/build/reports/charts.js (`npm run build:reports`, run by `make install`).
import Chart from "chart.js/auto";

const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
// A centre's or a thematic area's name can be long: its axis label is cut, the tooltip and the table
// beside the chart give it whole.
const LABEL_CHARACTERS = 32;

function shortLabel(value) {
  const label = String(this.getLabelForValue(value));
  return label.length > LABEL_CHARACTERS ? `${label.slice(0, LABEL_CHARACTERS - 1)}…` : label;
}

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
      scales: {
        [spec.horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { precision: 0 } },
        [spec.horizontal ? "y" : "x"]: { ticks: { callback: shortLabel } },
      },
    },
  });
  canvas.dataset.chartReady = String(chart.data.labels.length);
}
