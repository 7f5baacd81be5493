import assert from "node:assert/strict";
import { test } from "node:test";

import {
  articleRows,
  helpfulText,
  outcomeSeries,
  percent,
  shareText,
  topSeries,
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
