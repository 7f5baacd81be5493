// The desk's Insights page: figures from /api/insights drawn with Chart.js (only the
// bar chart's parts are bundled), and the same filters for the CSV export.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import { outcomeSeries, percent, topSeries, waitText } from "./insights_figures.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
Chart.defaults.animation = false; // figures, not a show: drawn at once (and screenshots are stable)

const charts = {};

function draw(id, labels, datasets, stacked) {
  charts[id]?.destroy();
  charts[id] = new Chart(document.getElementById(id), {
    type: "bar",
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: stacked ? "x" : "y",
      scales: { x: { stacked, beginAtZero: true }, y: { stacked, beginAtZero: true } },
      plugins: { legend: { display: stacked } },
    },
  });
}

function filters() {
  const params = new URLSearchParams();
  for (const name of ["from", "to", "language", "channel"]) {
    const value = document.getElementById(name).value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

function tile(id, text) { document.getElementById(id).textContent = text; }

async function load() {
  const params = filters();
  document.getElementById("csv").href = "/api/insights.csv?" + params;
  const status = document.getElementById("status");
  const response = await fetch("/api/insights?" + params, { credentials: "same-origin" });
  if (response.status === 401) { location.href = "/login"; return; }
  const body = await response.json();
  if (!response.ok) { status.textContent = body.error || response.statusText; return; }
  status.textContent = "";
  const all = body.overall;
  tile("conversations", String(all.conversations));
  tile("resolution", percent(all.resolution_rate));
  tile("handoff", percent(all.handoff_rate));
  tile("wait", waitText(all.median_wait_seconds));
  tile("fallback", percent(all.fallback_rate));
  tile("satisfaction", all.satisfaction_answers
    ? `${percent(all.satisfaction_rate)} of ${all.satisfaction_answers}` : "no answers");
  const languages = outcomeSeries(body.by_language);
  draw("by-language", languages.labels, languages.datasets, true);
  const channels = outcomeSeries(body.by_channel);
  draw("by-channel", channels.labels, channels.datasets, true);
  const topics = topSeries(all.handoff_topics, "handoffs");
  draw("topics", topics.labels, topics.datasets, false);
  const intents = topSeries(all.top_intents, "messages");
  draw("intents", intents.labels, intents.datasets, false);
  document.body.dataset.loaded = "true"; // for the browser test
}

document.getElementById("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
load();
