// The quick-search chart: detected values counted by their share of the
// maximum level (Chart.js from npm, bundled by esbuild; see package.json).
import { Chart } from "../../../assets/src/bar-chart.js";

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

// The filters' multi-selects become select2 boxes (CKAN's autocomplete module).
// select2 gives its box the combobox role but no name, so a screen reader
// announced an unnamed field: name the box and its search field by the
// <select>'s own <label>, whenever select2 builds or rebuilds them.
function nameFilterBoxes(root) {
  root.querySelectorAll("select[data-module='autocomplete'][id]").forEach((select) => {
    const label = document.querySelector(`label[for='${select.id}']`);
    const box = select.nextElementSibling;
    if (!label || !box || !box.classList.contains("select2-container")) {
      return;
    }
    if (!label.id) {
      label.id = `${select.id}-label`;
    }
    box.querySelectorAll(".select2-selection, .select2-search__field").forEach((field) => {
      if (field.getAttribute("aria-labelledby") !== label.id) {
        field.setAttribute("aria-labelledby", label.id);
      }
    });
  });
}

function watchFilterBoxes() {
  const form = document.querySelector("form.koreanap-contaminants-filters")
    || document.querySelector("select[data-module='autocomplete']")?.form;
  if (!form) {
    return;
  }
  nameFilterBoxes(form);
  new MutationObserver(() => nameFilterBoxes(form)).observe(form, {
    childList: true, subtree: true,
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", watchFilterBoxes);
} else {
  watchFilterBoxes();
}
