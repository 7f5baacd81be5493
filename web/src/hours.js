// The team's hours as the customer reads them: the server sends the opening periods
// of the next 7 days as UTC instants (bot/channels/widget_state.py); they are shown in
// the customer's own time zone and language, days with the same hours run together
// ("Monday–Friday 10:00–19:00"), Monday first.

const WEEK = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const DAY_MS = 24 * 60 * 60 * 1000;
const LOCALES = { it: "it-IT", fr: "fr-FR", en: "en-GB" };

function isPeriod(period) {
  return (
    Array.isArray(period) &&
    period.length === 2 &&
    period.every((value) => typeof value === "string" && !Number.isNaN(Date.parse(value)))
  );
}

/** The periods of `language` from a session_confirm's `support_hours`, checked. */
export function periodsOf(supportHours, language) {
  const periods = supportHours && typeof supportHours === "object" ? supportHours[language] : null;
  return Array.isArray(periods) ? periods.filter(isPeriod).slice(0, 14) : [];
}

/** The customer's IANA time zone ("Europe/Paris"), or null. */
export function customerTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

/**
 * [{days: "Monday–Friday", hours: "10:00–19:00"}, ...] for `periods` ([[opens, closes]]
 * as ISO instants), in `language`, in `timeZone` (the browser's own when undefined);
 * `hours` is null for a day open round the clock (a 24-hour period).
 */
export function hoursLines(periods, language, timeZone) {
  const locale = LOCALES[language] || LOCALES.en;
  const zone = timeZone ? { timeZone } : {};
  const weekdayKey = new Intl.DateTimeFormat("en-US", { weekday: "short", ...zone });
  const weekdayName = new Intl.DateTimeFormat(locale, { weekday: "long", ...zone });
  const clock = new Intl.DateTimeFormat(locale, {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    ...zone,
  });
  const days = new Map(); // weekday index -> {name, hours}
  for (const [opens, closes] of periods) {
    const start = new Date(opens);
    const index = WEEK.indexOf(weekdayKey.format(start));
    if (index < 0 || days.has(index)) continue;
    const end = new Date(closes);
    const hours = end - start >= DAY_MS ? null : `${clock.format(start)}–${clock.format(end)}`;
    days.set(index, { name: weekdayName.format(start), hours });
  }
  const lines = [];
  let run = null;
  for (const index of [...days.keys()].sort((a, b) => a - b)) {
    const day = days.get(index);
    if (run && run.hours === day.hours && run.last === index - 1) {
      run.last = index;
      run.lastName = day.name;
    } else {
      run = { first: index, last: index, firstName: day.name, lastName: day.name, hours: day.hours };
      lines.push(run);
    }
  }
  return lines.map((r) => ({
    days: r.first === r.last ? r.firstName : `${r.firstName}–${r.lastName}`,
    hours: r.hours,
  }));
}
