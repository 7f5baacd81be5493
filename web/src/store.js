// What survives a page reload, in localStorage under one prefix per Rasa server.
// Storage can be full or switched off (private windows, strict settings): the
// widget then still works, it just forgets on reload.

const MAX_HISTORY = 200; // enough to re-render a long conversation, small enough for storage

export class Store {
  constructor(rasaUrl, storage = safeStorage()) {
    this.prefix = `rasa-widget:${rasaUrl}:`;
    this.storage = storage;
  }

  get(name, fallback) {
    if (!this.storage) return fallback;
    try {
      const raw = this.storage.getItem(this.prefix + name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch {
      return fallback;
    }
  }

  set(name, value) {
    if (!this.storage) return;
    try {
      this.storage.setItem(this.prefix + name, JSON.stringify(value));
    } catch {
      // quota exceeded: keep going with what is in memory
    }
  }

  // The conversation's ID, as tickets show it (not enough to join it).
  get sessionId() {
    const id = this.get("session", null);
    return typeof id === "string" && id ? id : null;
  }

  set sessionId(id) {
    this.set("session", id);
  }

  // The session secret joins the conversation (the server derives its ID from it):
  // it stays in this browser's storage and is sent only to the Rasa server.
  get sessionSecret() {
    const secret = this.get("secret", null);
    return typeof secret === "string" && secret ? secret : null;
  }

  set sessionSecret(secret) {
    this.set("secret", secret);
  }

  // The number of the newest server message shown in conversation `session`: on
  // (re)connect the widget asks for the messages after it (bot/channels/socketio.py).
  lastMessageId(session) {
    const delivered = this.get("delivered", null);
    const fits =
      delivered !== null &&
      typeof delivered === "object" &&
      delivered.session === session &&
      Number.isInteger(delivered.last) &&
      delivered.last >= 0;
    return fits ? delivered.last : 0;
  }

  setLastMessageId(session, last) {
    this.set("delivered", { session, last });
  }

  get history() {
    const entries = this.get("history", []);
    return Array.isArray(entries) ? entries : [];
  }

  set history(entries) {
    this.set("history", entries.slice(-MAX_HISTORY));
  }

  // Messages typed while disconnected, sent on reconnect (even after a reload).
  get queue() {
    const queue = this.get("queue", []);
    return Array.isArray(queue) ? queue : [];
  }

  set queue(queue) {
    this.set("queue", queue);
  }
}

function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
