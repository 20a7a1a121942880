// The quick-search chart: detected values counted by their share of the
// maximum level (Chart.js from npm, bundled by esbuild; see package.json).
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
} from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const UNDER = "rgba(46, 125, 50, 0.75)";
const OVER = "rgba(198, 40, 40, 0.85)";

function draw() {
  const canvas = document.getElementById("koreanap-contaminants-chart");
  const source = document.getElementById("koreanap-contaminants-chart-data");
  if (!canvas || !source) {
    return;
  }
  const data = JSON.parse(source.textContent);
  // Texts come translated from the page (data-label-*: the ckanext-koreanap catalogs).
  const text = canvas.dataset;
  // Buckets are 20% wide: the first five are at or under the maximum level.
  const colours = data.counts.map((_, i) => (i < 5 ? UNDER : OVER));
  const chart = new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{
        label: text.labelResults,
        data: data.counts,
        backgroundColor: colours,
      }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => `${items[0].label} ${text.labelTooltip}`,
          },
        },
      },
      scales: {
        x: { title: { display: true, text: text.labelShare } },
        y: { beginAtZero: true, title: { display: true, text: text.labelCount } },
      },
    },
  });
  canvas.dataset.state = "drawn";
  return chart;
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", draw);
} else {
  draw();
}
