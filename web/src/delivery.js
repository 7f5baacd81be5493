// Which server messages to show, and when: each message the server sends has a number
// in its conversation (`id`: 1, 2, 3...; bot/services/delivery.py). After every
// (re)connection the widget asks for the messages after the last number it showed
// (`missed_messages`); messages arriving live meanwhile are held, then everything is
// shown in number order, and a number already shown is never shown again.

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A server message's number, or null (a message the server could not store has none). */
export function messageId(payload) {
  const id = isObject(payload) ? payload.id : null;
  return Number.isInteger(id) && id > 0 ? id : null;
}

export class Delivery {
  /**
   * @param store   has lastMessageId(session) and setLastMessageId(session, id) (store.js)
   * @param shown   the keys ("<conversation>#<id>") of the messages in the history
   * @param display called with (payload, key) for each message to show, in order
   */
  constructor(store, shown, display) {
    this.store = store;
    this.shown = new Set(shown.filter(Boolean));
    this.display = display;
    this.round = 0; // catch-ups started (one per confirmed connection)
    this.catchingUp = 0; // the round in progress, 0 for none
    this.held = []; // [payload, session] that arrived live while catching up
  }

  /** A connection was confirmed for `session`: the request to send, and the round. */
  startCatchUp(session) {
    this.round += 1;
    this.catchingUp = this.round;
    return { round: this.round, after: this.store.lastMessageId(session) };
  }

  /** The server's answer to round `round` (anything, or null when none came): the
   * missed messages and the held ones, shown by number; unnumbered ones last. */
  endCatchUp(round, answer, session) {
    if (this.catchingUp !== round) return; // a newer connection started its own
    this.catchingUp = 0;
    const missed = isObject(answer) && Array.isArray(answer.messages) ? answer.messages : [];
    const held = this.held;
    this.held = [];
    const numbered = [
      ...missed.filter((m) => messageId(m) !== null).map((m) => [m, session]),
      ...held.filter(([m]) => messageId(m) !== null),
    ];
    numbered.sort(([a], [b]) => messageId(a) - messageId(b));
    const unnumbered = held.filter(([m]) => messageId(m) === null);
    for (const [payload, from] of [...numbered, ...unnumbered]) this.show(payload, from);
  }

  /** A message that arrived live for `session`. */
  receive(payload, session) {
    if (!isObject(payload)) return;
    if (this.catchingUp) {
      this.held.push([payload, session]);
      return;
    }
    this.show(payload, session);
  }

  show(payload, session) {
    const id = messageId(payload);
    const key = id === null ? undefined : `${session}#${id}`;
    if (key) {
      if (this.shown.has(key)) return;
      this.shown.add(key);
      if (id > this.store.lastMessageId(session)) this.store.setLastMessageId(session, id);
    }
    this.display(payload, key);
  }
}
