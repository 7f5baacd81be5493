// The desk's Insights page: figures from /api/insights drawn with Chart.js (only the
// bar chart's parts are bundled), the trend per day as an SVG with its table, the
// per-agent table, the review list (label, ignore, pages), and the same filters for
// the CSV export.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import {
  OUTCOMES,
  agentRows,
  articleRows,
  conversationsText,
  helpfulText,
  ofText,
  outcomeSeries,
  pageText,
  percent,
  ratingText,
  shareText,
  topSeries,
  trendBars,
  trendRows,
  trendSummary,
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
  // each rate with what it is a share of; in-progress conversations counted apart
  tile("conversations", String(all.conversations));
  tile("conversations-of", conversationsText(all.settled, all.in_progress));
  tile("in-progress", String(all.in_progress));
  tile("resolution", percent(all.resolution_rate));
  tile("resolution-of", ofText(all.settled, "finished conversation"));
  tile("handoff", percent(all.handoff_rate));
  tile("handoff-of", ofText(all.settled, "finished conversation"));
  tile("wait", waitText(all.median_wait_seconds));
  tile("wait-of", ofText(all.handoffs_claimed, "claimed handoff"));
  tile("fallback", percent(all.fallback_rate));
  tile("fallback-of", ofText(all.user_messages, "customer message"));
  tile("satisfaction", percent(all.satisfaction_rate));
  tile("satisfaction-of", ofText(all.satisfaction_answers, "answer"));
  tile("rating", ratingText(all.average_rating));
  tile("rating-of", all.ratings ? `from ${all.ratings} rating${all.ratings === 1 ? "" : "s"}` : "no ratings yet");
  trend(body.by_day);
  agents(body.by_agent);
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
  document.getElementById("help-articles").replaceChildren(...tableRows(
    articleRows(figures.articles), "No question answered from an article in this period.", 6));
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

const SVG = "http://www.w3.org/2000/svg";
const TREND_HEIGHT = 100; // the SVG's own units; CSS sets its size on the page

function svg(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function swatch(color) {
  const box = svg("svg", { width: 14, height: 14, viewBox: "0 0 14 14", "aria-hidden": "true" });
  box.append(svg("rect", { width: 14, height: 14, fill: color }));
  return box;
}

/** Conversations per day: stacked bars by outcome (an SVG, no library), a sentence for
 * screen readers, and every figure in the table below it. */
function trend(days) {
  document.getElementById("trend-legend").replaceChildren(...OUTCOMES.map(([, label, color]) => {
    const item = el("li");
    item.append(swatch(color), el("span", label));
    return item;
  }));
  const { most, bars } = trendBars(days, TREND_HEIGHT);
  const width = Math.max(bars.length, 1) * 10;
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${TREND_HEIGHT}`, preserveAspectRatio: "none",
    role: "img", "aria-labelledby": "trend-summary",
  });
  bars.forEach((bar, index) => {
    for (const part of bar.segments) {
      const rect = svg("rect", { x: index * 10 + 1, y: part.y, width: 8, height: part.height, fill: part.color });
      const title = svg("title", {});
      title.textContent = `${bar.day}: ${part.count} ${part.label.toLowerCase()}`;
      rect.append(title); // shown on hover
      chart.append(rect);
    }
  });
  const axis = el("div", undefined, "trend-axis");
  axis.setAttribute("aria-hidden", "true"); // the summary and the table say the same
  if (bars.length) {
    axis.append(el("span", bars[0].day), el("span", `busiest day: ${most}`), el("span", bars[bars.length - 1].day));
  }
  const holder = document.getElementById("trend-chart");
  // a bar is at most 2.5rem wide: a few days are narrow bars, not one wide block
  holder.style.maxWidth = `${Math.max(20, bars.length * 2.5)}rem`; // 20: room for the axis
  holder.replaceChildren(chart, axis);
  document.getElementById("trend-summary").textContent = trendSummary(days);
  document.getElementById("trend-table").replaceChildren(...tableRows(trendRows(days), "No conversation in this period.", 7));
}

/** Per agent: handled, still open, median first response and handle time, CSAT, rating. */
function agents(figures) {
  document.getElementById("agents").replaceChildren(
    ...tableRows(agentRows(figures), "No ticket taken by an agent in this period.", 7));
}

/** Table rows with a row header first, or one row saying why the table is empty. */
function tableRows(cellRows, empty, columns) {
  if (!cellRows.length) {
    const cell = el("td", empty);
    cell.colSpan = columns;
    const row = el("tr");
    row.append(cell);
    return [row];
  }
  return cellRows.map((cells) => {
    const row = el("tr");
    row.append(...cells.map((text, index) => el(index === 0 ? "th" : "td", text)));
    row.firstChild.scope = "row";
    return row;
  });
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text; // never innerHTML: texts come from customers
  if (cls) node.className = cls;
  return node;
}

let reviewPage = 1;

async function post(path, payload) {
  const response = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-Desk-Request": "1" },
    body: JSON.stringify(payload),
  });
  return { response, body: await response.json() };
}

async function label(group, intent) {
  const { response, body } = await post("/api/insights/review/label", { ids: group.ids, intent });
  document.getElementById("review-status").textContent = response.ok
    ? `${body.labelled} message(s) added to the review file as ${intent}`
    : body.error || response.statusText;
  await loadReview();
}

async function ignore(group) {
  const { response, body } = await post("/api/insights/review/ignore", { ids: group.ids });
  document.getElementById("review-status").textContent = response.ok
    ? `${body.ignored} message(s) taken off the list: no label needed`
    : body.error || response.statusText;
  await loadReview();
}

async function turnPage(step) {
  reviewPage += step;
  await loadReview();
  document.getElementById("review-title").focus(); // the new page's start, not a vanished button
}

async function loadReview() {
  await reviewRows();
  document.body.dataset.loaded = "true"; // for the browser test
}

async function reviewRows() {
  const params = filters();
  params.delete("channel");
  params.set("page", String(reviewPage));
  const response = await fetch("/api/insights/review?" + params, { credentials: "same-origin" });
  const body = await response.json();
  const list = document.getElementById("review");
  if (!response.ok) { list.replaceChildren(el("li", body.error || response.statusText)); return; }
  reviewPage = body.page; // the server keeps it within the pages there are
  document.getElementById("review-page").textContent = pageText(body.page, body.pages, body.total);
  document.getElementById("review-previous").disabled = body.page <= 1;
  document.getElementById("review-next").disabled = body.page >= body.pages;
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
    const skip = el("button", "No label needed");
    skip.type = "button";
    skip.className = "ignore";
    skip.addEventListener("click", () => ignore(group));
    item.append(el("strong", `${group.count}×`), el("span", group.language || "?"), examples, button, select, skip);
    return item;
  }));
  if (!body.groups.length) list.replaceChildren(el("li", "Nothing waiting for review."));
}

document.getElementById("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  reviewPage = 1;
  load().then(loadReview);
});
document.getElementById("review-previous").addEventListener("click", () => turnPage(-1));
document.getElementById("review-next").addEventListener("click", () => turnPage(1));
load().then(loadReview);
