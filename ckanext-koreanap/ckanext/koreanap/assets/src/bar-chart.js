// Chart.js (from npm) with only what the catalogue's bar charts use registered, so each
// bundle that imports it (the quality dashboard, the contaminant quick search) carries
// the same small part of the library.
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

export { Chart };
