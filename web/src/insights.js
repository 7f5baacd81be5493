// The desk's Insights page: figures from /api/insights drawn with Chart.js (only the
// bar chart's parts are bundled), and the same filters for the CSV export.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import {
  articleRows,
  helpfulText,
  outcomeSeries,
  percent,
  shareText,
  topSeries,
  waitText,
} from "./insights_figures.js";

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
      scales: {
        x: { stacked, beginAtZero: true, ticks: { precision: 0 } }, // counts: whole numbers
        y: { stacked, beginAtZero: true, ticks: { precision: 0 } },
      },
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
  if (body.help_centre) helpCentre(body.help_centre);
}

/** The help centre's figures: answered, helpful per article, searches to write for. */
function helpCentre(figures) {
  tile("help-answered", shareText(figures.answered, figures.searched, figures.answered_rate));
  tile("help-helpful", helpfulText(figures.helpful, figures.feedback - figures.helpful, figures.helpful_rate));
  tile("help-unanswered", String(figures.not_answered));
  const rows = articleRows(figures.articles).map((cells) => {
    const row = el("tr");
    row.append(...cells.map((text, index) => el(index === 0 ? "th" : "td", text)));
    row.firstChild.scope = "row";
    return row;
  });
  const articles = document.getElementById("help-articles");
  if (!rows.length) {
    const empty = el("td", "No question answered from an article in this period.");
    empty.colSpan = 6;
    const row = el("tr");
    row.append(empty);
    rows.push(row);
  }
  articles.replaceChildren(...rows);
  const searches = document.getElementById("help-searches");
  searches.replaceChildren(...figures.no_good_article.map((group) => {
    const item = el("li");
    const examples = el("div", undefined, "examples");
    examples.append(...group.examples.map((text) => el("span", `“${text}”`)));
    item.append(el("strong", `${group.count}×`), el("span", group.language), examples);
    return item;
  }));
  if (!figures.no_good_article.length) {
    searches.replaceChildren(el("li", "Every search found a good article."));
  }
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text; // never innerHTML: texts come from customers
  if (cls) node.className = cls;
  return node;
}

async function label(group, intent) {
  const response = await fetch("/api/insights/review/label", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-Desk-Request": "1" },
    body: JSON.stringify({ ids: group.ids, intent }),
  });
  const body = await response.json();
  document.getElementById("review-status").textContent = response.ok
    ? `${body.labelled} message(s) added to the review file as ${intent}`
    : body.error || response.statusText;
  await loadReview();
}

async function loadReview() {
  await reviewRows();
  document.body.dataset.loaded = "true"; // for the browser test
}

async function reviewRows() {
  const params = filters();
  params.delete("channel");
  const response = await fetch("/api/insights/review?" + params, { credentials: "same-origin" });
  const body = await response.json();
  const list = document.getElementById("review");
  if (!response.ok) { list.replaceChildren(el("li", body.error || response.statusText)); return; }
  list.replaceChildren(...body.groups.map((group) => {
    const item = el("li");
    const examples = el("div", undefined, "examples");
    examples.append(...group.examples.map((text) => el("span", `“${text}”`)));
    const select = el("select");
    select.setAttribute("aria-label", "Intent");
    select.append(...body.intents.map((name) => {
      const option = el("option", name);
      option.value = name;
      option.selected = name === group.best_guess;
      return option;
    }));
    const button = el("button", "This was");
    button.type = "button";
    button.addEventListener("click", () => label(group, select.value));
    item.append(el("strong", `${group.count}×`), el("span", group.language || "?"), examples, button, select);
    return item;
  }));
  if (!body.groups.length) list.replaceChildren(el("li", "Nothing waiting for review."));
}

document.getElementById("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  load().then(loadReview);
});
load().then(loadReview);
