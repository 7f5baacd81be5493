// Pure helpers of the Insights page (tested in web/test/insights.test.mjs).

// colours at least 3:1 on white (WCAG 1.4.11): a bar is seen without its neighbours
export const OUTCOMES = [
  ["resolved", "Resolved", "#2e7d32"],
  ["handed_off", "Handed off", "#1d3b6e"],
  ["misunderstood", "Misunderstood", "#c62828"],
  ["abandoned", "Abandoned", "#757575"],
  ["in_progress", "In progress", "#a15c00"],
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

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** What a rate is a share of: "of 288 finished conversations". */
export function ofText(whole, noun) {
  return whole ? `of ${plural(whole, noun)}` : `no ${noun}s yet`;
}

/** The conversations tile's second line: finished and in progress, each counted. */
export function conversationsText(settled, inProgress) {
  return `${settled} finished, ${inProgress} in progress`;
}

/** "4.2 / 5": the average rating, or a dash without ratings. */
export function ratingText(average) {
  return average === null || average === undefined ? "–" : `${average.toFixed(1)} / 5`;
}

/** The trend's bars: one per day, its outcomes stacked from the bottom, in a box
 * `height` high scaled to the busiest day. */
export function trendBars(days, height) {
  const most = Math.max(1, ...days.map((d) => d.conversations));
  return {
    most,
    bars: days.map((day) => {
      let top = height;
      const segments = [];
      for (const [key, label, color] of OUTCOMES) {
        const count = day[key];
        if (!count) continue;
        const size = (count / most) * height;
        top -= size;
        segments.push({ key, label, color, count, y: top, height: size });
      }
      return { day: day.day, conversations: day.conversations, segments };
    }),
  };
}

/** The trend in one sentence, for a screen reader (the table has every figure). */
export function trendSummary(days) {
  if (!days.length) return "No conversation in this period.";
  const total = days.reduce((sum, d) => sum + d.conversations, 0);
  const busiest = days.reduce((best, d) => (d.conversations > best.conversations ? d : best));
  const span = `from ${days[0].day} to ${days[days.length - 1].day}`;
  return `${plural(total, "conversation")} ${span}, most on ${busiest.day} (${busiest.conversations}).`;
}

/** The trend table's cells, in the order of its header. */
export function trendRows(days) {
  return days.map((d) => [d.day, String(d.conversations), ...OUTCOMES.map(([key]) => String(d[key]))]);
}

/** The per-agent table's cells, in the order of its header. */
export function agentRows(agents) {
  return agents.map((a) => [
    a.name,
    String(a.handled),
    String(a.still_open),
    waitText(a.median_first_response_seconds),
    waitText(a.median_handle_seconds),
    a.csat_answers ? `${percent(a.csat_rate)} of ${plural(a.csat_answers, "answer")}` : "no answers yet",
    a.ratings ? `${ratingText(a.average_rating)} (${plural(a.ratings, "rating")})` : "–",
  ]);
}

/** "Page 2 of 3 (45 groups)". */
export function pageText(page, pages, total) {
  return `Page ${page} of ${pages} (${plural(total, "group")})`;
}
