// Unit tests of what the widget shows of the server's numbered messages (delivery.js):
// `npm test --prefix web` (node's test runner).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Delivery, messageId } from "../src/delivery.js";
import { Store } from "../src/store.js";

class MemoryStorage {
  constructor() {
    this.items = new Map();
  }
  getItem(name) {
    return this.items.has(name) ? this.items.get(name) : null;
  }
  setItem(name, value) {
    this.items.set(name, String(value));
  }
}

function delivery(storage = new MemoryStorage(), shown = []) {
  const store = new Store("http://rasa", storage);
  const texts = [];
  const keys = [];
  const d = new Delivery(store, shown, (payload, key) => {
    texts.push(payload.text);
    keys.push(key);
  });
  return { d, store, texts, keys, storage };
}

const A = "socketio:aaa";

test("live messages show in arrival order and the cursor follows the highest number", () => {
  const { d, store, texts } = delivery();
  d.receive({ id: 1, text: "one" }, A);
  d.receive({ id: 2, text: "two" }, A);
  assert.deepEqual(texts, ["one", "two"]);
  assert.equal(store.lastMessageId(A), 2);
});

test("a number already shown is never shown again, live or caught up", () => {
  const { d, texts } = delivery();
  d.receive({ id: 1, text: "one" }, A);
  d.receive({ id: 1, text: "one" }, A);
  const { round } = d.startCatchUp(A);
  d.endCatchUp(round, { messages: [{ id: 1, text: "one" }, { id: 2, text: "two" }] }, A);
  assert.deepEqual(texts, ["one", "two"]);
});

test("the catch-up asks after the last number shown, and shows the missed ones in order", () => {
  const { d, store, texts } = delivery();
  d.receive({ id: 3, text: "three" }, A);
  const { round, after } = d.startCatchUp(A);
  assert.equal(after, 3);
  // live messages meanwhile wait: the missed ones come first, all by number
  d.receive({ id: 6, text: "six" }, A);
  d.receive({ id: 5, text: "five" }, A);
  assert.deepEqual(texts, ["three"]);
  d.endCatchUp(round, { messages: [{ id: 4, text: "four" }, { id: 5, text: "five" }] }, A);
  assert.deepEqual(texts, ["three", "four", "five", "six"]);
  assert.equal(store.lastMessageId(A), 6);
});

test("no answer (an older server, a timeout) still shows what arrived meanwhile", () => {
  const { d, texts } = delivery();
  const { round } = d.startCatchUp(A);
  d.receive({ text: "no number" }, A);
  d.receive({ id: 2, text: "two" }, A);
  d.endCatchUp(round, null, A);
  assert.deepEqual(texts, ["two", "no number"]);
  d.endCatchUp(round, { messages: [{ id: 1, text: "late" }] }, A); // the same round again
  assert.deepEqual(texts, ["two", "no number"]);
});

test("an answer to an older connection's request is ignored; the newer one decides", () => {
  const { d, texts } = delivery();
  const first = d.startCatchUp(A);
  const second = d.startCatchUp(A);
  d.receive({ id: 2, text: "two" }, A);
  d.endCatchUp(first.round, { messages: [{ id: 9, text: "stale" }] }, A);
  assert.deepEqual(texts, []);
  d.endCatchUp(second.round, { messages: [{ id: 1, text: "one" }] }, A);
  assert.deepEqual(texts, ["one", "two"]);
});

test("messages without a number are always shown (the server could not store them)", () => {
  const { d, texts, keys } = delivery();
  d.receive({ text: "x" }, A);
  d.receive({ text: "x" }, A);
  assert.deepEqual(texts, ["x", "x"]);
  assert.deepEqual(keys, [undefined, undefined]);
});

test("numbers restart with a new conversation: its 1 is not the old one's 1", () => {
  const { d, store, texts, keys } = delivery();
  d.receive({ id: 1, text: "old" }, A);
  d.receive({ id: 1, text: "new" }, "socketio:bbb");
  assert.deepEqual(texts, ["old", "new"]);
  assert.deepEqual(keys, [`${A}#1`, "socketio:bbb#1"]);
  assert.equal(store.lastMessageId("socketio:bbb"), 1);
  assert.equal(store.lastMessageId(A), 0); // the cursor follows the current conversation
});

test("after a reload the history's keys and the stored cursor keep duplicates out", () => {
  const storage = new MemoryStorage();
  const first = delivery(storage);
  first.d.receive({ id: 1, text: "one" }, A);
  first.d.receive({ id: 2, text: "two" }, A);
  const again = delivery(storage, first.keys);
  const { after, round } = again.d.startCatchUp(A);
  assert.equal(after, 2);
  again.d.endCatchUp(round, { messages: [{ id: 2, text: "two" }, { id: 3, text: "three" }] }, A);
  assert.deepEqual(again.texts, ["three"]);
});

test("malformed numbers and answers are treated as none", () => {
  for (const id of [0, -1, 1.5, "3", null, true, [1]]) assert.equal(messageId({ id }), null);
  const { d, texts } = delivery();
  const { round } = d.startCatchUp(A);
  d.endCatchUp(round, { messages: "nope" }, A);
  d.receive("not an object", A);
  d.receive([1, 2], A);
  assert.deepEqual(texts, []);
});

test("a tampered cursor in storage counts as none", () => {
  const storage = new MemoryStorage();
  const store = new Store("http://rasa", storage);
  for (const bad of ['{"session":"socketio:aaa","last":-4}', '{"session":"socketio:aaa","last":"9"}', "[]", "x"]) {
    storage.setItem("rasa-widget:http://rasa:delivered", bad);
    assert.equal(store.lastMessageId(A), 0);
  }
});
