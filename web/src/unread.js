// The unread counter while the chat is closed: in the page's title ("(2) Shop") and
// the launcher's accessible name, so a customer in another tab or using a screen
// reader learns that someone answered.

const COUNTER = /^\(\d+\) /;

/** `title` with the count in front, or without one when `count` is 0. */
export function countedTitle(title, count) {
  const bare = String(title || "").replace(COUNTER, "");
  return count > 0 ? `(${count}) ${bare}` : bare;
}

/** The stored count, or 0 for anything that is not a count. */
export function unreadCount(value) {
  return Number.isInteger(value) && value > 0 ? Math.min(value, 999) : 0;
}
