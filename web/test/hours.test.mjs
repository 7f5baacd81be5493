// The team's hours and the unread counter: `npm test --prefix web` (node's test runner).
import assert from "node:assert/strict";
import { test } from "node:test";
import { hoursLines, periodsOf } from "../src/hours.js";
import { countedTitle, unreadCount } from "../src/unread.js";

// Europe/Rome 09:00-18:00, Monday 14 to Friday 18 December 2026 (UTC+1 in winter)
const ROME_WEEK = [14, 15, 16, 17, 18].map((day) => [
  `2026-12-${day}T08:00:00Z`,
  `2026-12-${day}T17:00:00Z`,
]);

test("the team's week runs together, in the customer's time zone and language", () => {
  assert.deepEqual(hoursLines(ROME_WEEK, "en", "Europe/London"), [
    { days: "Monday–Friday", hours: "08:00–17:00" },
  ]);
  assert.deepEqual(hoursLines(ROME_WEEK, "it", "Europe/Rome"), [
    { days: "lunedì–venerdì", hours: "09:00–18:00" },
  ]);
  assert.deepEqual(hoursLines(ROME_WEEK, "fr", "America/New_York"), [
    { days: "lundi–vendredi", hours: "03:00–12:00" },
  ]);
});

test("far enough east the days move too, and Monday comes first", () => {
  // 17:00 UTC is 02:00 the next day in Tokyo: Friday's hours end on Saturday
  assert.deepEqual(hoursLines(ROME_WEEK, "en", "Asia/Tokyo"), [
    { days: "Monday–Friday", hours: "17:00–02:00" },
  ]);
  const fromWednesday = [...ROME_WEEK.slice(2), ...ROME_WEEK.slice(0, 2).map(([o, c]) =>
    [o.replace("-14T", "-21T").replace("-15T", "-22T"), c.replace("-14T", "-21T").replace("-15T", "-22T")])];
  assert.deepEqual(hoursLines(fromWednesday, "en", "Europe/Rome"), [
    { days: "Monday–Friday", hours: "09:00–18:00" },
  ]);
});

test("days with other hours, or a gap, make lines of their own", () => {
  const week = [
    ["2026-12-14T08:00:00Z", "2026-12-14T17:00:00Z"], // Monday
    ["2026-12-15T08:00:00Z", "2026-12-15T17:00:00Z"], // Tuesday
    ["2026-12-17T08:00:00Z", "2026-12-17T17:00:00Z"], // Thursday (no Wednesday)
    ["2026-12-19T09:00:00Z", "2026-12-19T12:00:00Z"], // Saturday, shorter
  ];
  assert.deepEqual(hoursLines(week, "en", "Europe/Rome"), [
    { days: "Monday–Tuesday", hours: "09:00–18:00" },
    { days: "Thursday", hours: "09:00–18:00" },
    { days: "Saturday", hours: "10:00–13:00" },
  ]);
});

test("a team open round the clock is open all day, whatever the customer's time zone", () => {
  const always = [14, 15, 16, 17, 18, 19, 20].map((day) => [
    `2026-12-${day}T00:00:00Z`,
    `2026-12-${day + 1}T00:00:00Z`,
  ]);
  assert.deepEqual(hoursLines(always, "en", "Asia/Tokyo"), [{ days: "Monday–Sunday", hours: null }]);
});

test("only well-formed periods of the language are read", () => {
  const sent = { it: [["2026-12-14T08:00:00Z", "2026-12-14T17:00:00Z"], ["x", "y"], "junk", [1, 2]] };
  assert.deepEqual(periodsOf(sent, "it"), [["2026-12-14T08:00:00Z", "2026-12-14T17:00:00Z"]]);
  assert.deepEqual(periodsOf(sent, "fr"), []);
  assert.deepEqual(periodsOf(null, "it"), []);
  assert.deepEqual(periodsOf({ it: "09:00" }, "it"), []);
});

test("the page's title carries the unread count, and loses it at zero", () => {
  assert.equal(countedTitle("Shop", 2), "(2) Shop");
  assert.equal(countedTitle("(2) Shop", 3), "(3) Shop");
  assert.equal(countedTitle("(3) Shop", 0), "Shop");
  assert.equal(countedTitle("Shop", 0), "Shop");
});

test("a stored count that is not one counts as none", () => {
  assert.equal(unreadCount(4), 4);
  for (const junk of [-1, 0, 1.5, "3", null, undefined, {}]) assert.equal(unreadCount(junk), 0);
});
