import assert from "node:assert/strict";
import { test } from "node:test";

import {
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
} from "../src/insights_figures.js";

test("one stacked bar per language, one dataset per outcome", () => {
  const figures = (resolved, handed_off) =>
    ({ resolved, handed_off, misunderstood: 0, abandoned: 1, in_progress: 0 });
  const { labels, datasets } = outcomeSeries({ fr: figures(3, 1), it: figures(0, 2) });
  assert.deepEqual(labels, ["fr", "it"]);
  assert.deepEqual(datasets.map((d) => d.label),
    ["Resolved", "Handed off", "Misunderstood", "Abandoned", "In progress"]);
  assert.deepEqual(datasets[0].data, [3, 0]);
  assert.deepEqual(datasets[1].data, [1, 2]);
});

test("top lists, rates and waits as a supervisor reads them", () => {
  assert.deepEqual(topSeries([["cancellation", 4], ["general", 1]], "handoffs").labels,
    ["cancellation", "general"]);
  assert.equal(percent(0.375), "37.5%");
  assert.equal(percent(null), "–");
  assert.equal(waitText(42), "42 s");
  assert.equal(waitText(440), "7 min");
  assert.equal(waitText(null), "–");
});

test("help centre: each percentage says what it is of", () => {
  assert.equal(shareText(12, 20, 0.6), "12 of 20 (60%)");
  assert.equal(shareText(0, 0, null), "–");
  assert.equal(helpfulText(2, 1, 0.6667), "66.7% of 3 answers");
  assert.equal(helpfulText(1, 0, 1), "100% of 1 answer");
  assert.equal(helpfulText(0, 0, null), "no answers yet");
});

test("help centre: one table row per article, counts then the helpful rate", () => {
  const rows = articleRows([
    { id: "demo-record-meeting", topic: "record-meeting", answered: 4, yes: 1, no: 1, helpful_rate: 0.5 },
    { id: "360001", topic: null, answered: 1, yes: 0, no: 0, helpful_rate: null },
  ]);
  assert.deepEqual(rows, [
    ["demo-record-meeting", "record-meeting", "4", "1", "1", "50% of 2 answers"],
    ["360001", "–", "1", "0", "0", "no answers yet"],
  ]);
});

test("each rate says what it is a share of; in progress counted apart", () => {
  assert.equal(ofText(288, "finished conversation"), "of 288 finished conversations");
  assert.equal(ofText(1, "finished conversation"), "of 1 finished conversation");
  assert.equal(ofText(0, "finished conversation"), "no finished conversations yet");
  assert.equal(conversationsText(288, 449), "288 finished, 449 in progress");
  assert.equal(ratingText(4.25), "4.3 / 5");
  assert.equal(ratingText(null), "–");
});

const day = (date, resolved, handed_off, in_progress) => ({
  day: date, conversations: resolved + handed_off + in_progress,
  resolved, handed_off, misunderstood: 0, abandoned: 0, in_progress,
});

test("the trend: one bar a day, outcomes stacked, the busiest day full height", () => {
  const { most, bars } = trendBars([day("2026-12-01", 3, 1, 0), day("2026-12-02", 0, 0, 0),
    day("2026-12-03", 1, 0, 1)], 100);
  assert.equal(most, 4);
  assert.deepEqual(bars.map((b) => b.day), ["2026-12-01", "2026-12-02", "2026-12-03"]);
  const [busiest, empty, last] = bars;
  assert.deepEqual(busiest.segments.map((s) => [s.key, s.count, s.y, s.height]),
    [["resolved", 3, 25, 75], ["handed_off", 1, 0, 25]]);
  assert.deepEqual(empty.segments, []);
  assert.deepEqual(last.segments.map((s) => [s.key, s.y, s.height]),
    [["resolved", 75, 25], ["in_progress", 50, 25]]);
  assert.deepEqual(trendBars([], 100), { most: 1, bars: [] });
});

test("the trend in words and as a table", () => {
  const days = [day("2026-12-01", 3, 1, 0), day("2026-12-02", 0, 0, 0)];
  assert.equal(trendSummary(days), "4 conversations from 2026-12-01 to 2026-12-02, most on 2026-12-01 (4).");
  assert.equal(trendSummary([]), "No conversation in this period.");
  assert.deepEqual(trendRows(days), [
    ["2026-12-01", "4", "3", "1", "0", "0", "0"],
    ["2026-12-02", "0", "0", "0", "0", "0", "0"],
  ]);
});

test("per agent: handled, open, medians, CSAT with what it is of, rating", () => {
  const rows = agentRows([
    { name: "Marie", handled: 12, still_open: 1, median_first_response_seconds: 42,
      median_handle_seconds: 600, csat_answers: 4, csat_rate: 0.75, ratings: 2, average_rating: 4.5 },
    { name: "Luca", handled: 0, still_open: 1, median_first_response_seconds: null,
      median_handle_seconds: null, csat_answers: 0, csat_rate: null, ratings: 0, average_rating: null },
  ]);
  assert.deepEqual(rows, [
    ["Marie", "12", "1", "42 s", "10 min", "75% of 4 answers", "4.5 / 5 (2 ratings)"],
    ["Luca", "0", "1", "–", "–", "no answers yet", "–"],
  ]);
  assert.equal(pageText(2, 3, 45), "Page 2 of 3 (45 groups)");
  assert.equal(pageText(1, 1, 1), "Page 1 of 1 (1 group)");
});
