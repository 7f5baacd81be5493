import assert from "node:assert/strict";
import { test } from "node:test";

import { outcomeSeries, percent, topSeries, waitText } from "../src/insights_figures.js";

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
