// The quality dashboard's charts (/quality): Chart.js from npm, bundled by esbuild
// (package.json "build"). Each chart's numbers and translated labels come from the
// page's JSON (#koreanap-quality-charts); the table beside each chart holds the same.
import { Chart } from "./bar-chart.js";

function drawOne(canvas, spec) {
  const value = spec.horizontal ? "x" : "y";
  const category = spec.horizontal ? "y" : "x";
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: spec.labels,
      datasets: spec.datasets.map((set) => ({
        label: set.label,
        data: set.data,
        backgroundColor: set.colour,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: category,
      plugins: { legend: { position: "bottom" } },
      scales: {
        [category]: { stacked: spec.stacked },
        [value]: { stacked: spec.stacked, beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  });
  canvas.dataset.state = "drawn";
}

function draw() {
  const source = document.getElementById("koreanap-quality-charts");
  if (!source) {
    return;
  }
  const charts = JSON.parse(source.textContent);
  Object.entries(charts).forEach(([id, spec]) => {
    const canvas = document.getElementById(`koreanap-quality-${id}`);
    if (canvas) {
      drawOne(canvas, spec);
    }
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", draw);
} else {
  draw();
}
