// Pure helpers of the Insights page (tested in web/test/insights.test.mjs).

export const OUTCOMES = [
  ["resolved", "Resolved", "#2e7d32"],
  ["handed_off", "Handed off", "#1d3b6e"],
  ["misunderstood", "Misunderstood", "#c62828"],
  ["abandoned", "Abandoned", "#9e9e9e"],
  ["in_progress", "In progress", "#f9a825"],
];

/** One stacked dataset per outcome, one bar per group (language or channel). */
export function outcomeSeries(byGroup) {
  const labels = Object.keys(byGroup);
  const datasets = OUTCOMES.map(([key, label, color]) => ({
    label,
    backgroundColor: color,
    data: labels.map((group) => byGroup[group][key]),
  }));
  return { labels, datasets };
}

/** [[name, count], ...] as one horizontal bar dataset. */
export function topSeries(pairs, label) {
  return {
    labels: pairs.map(([name]) => name),
    datasets: [{ label, backgroundColor: "#1d3b6e", data: pairs.map(([, count]) => count) }],
  };
}

export function percent(rate) {
  return rate === null || rate === undefined ? "–" : `${Math.round(rate * 1000) / 10}%`;
}

export function waitText(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

/** "12 of 20 (60%)": a part, what it is a part of, and the share. */
export function shareText(part, whole, rate) {
  return whole ? `${part} of ${whole} (${percent(rate)})` : "–";
}

/** An article's helpful rate and what it is the percentage of: yes / (yes + no). */
export function helpfulText(yes, no, rate) {
  const answers = yes + no;
  if (!answers) return "no answers yet";
  return `${percent(rate)} of ${answers} answer${answers === 1 ? "" : "s"}`;
}

/** The per-article table's cells, in the order of its header. */
export function articleRows(articles) {
  return articles.map((a) => [
    a.id,
    a.topic || "–",
    String(a.answered),
    String(a.yes),
    String(a.no),
    helpfulText(a.yes, a.no, a.helpful_rate),
  ]);
}
