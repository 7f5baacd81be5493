// The support assistant's chat widget. One tag embeds it in any page:
//
//   <script src="https://support.example.com/widget.js"
//           data-rasa-url="https://assistant.example.com" data-language="auto"></script>
//
// It talks to Rasa's socket.io channel (bot/channels/socketio.py): one
// `bot_uttered` per bot response, {id, text, quick_replies, custom}. A response with
// `custom.article` (a help-centre answer) is shown as an article card (article.js).
// `id` numbers the conversation's messages (1, 2, 3...): on every (re)connection the
// widget asks for the ones after the last it showed (`missed_messages`), so what was
// sent while the page was closed or offline appears, in order, and never twice.
// A new conversation opens with a greeting, the team's hours (`support_hours` of
// session_confirm, shown in the customer's time zone: hours.js) and a standing "Talk to
// a person" button; `waiting {position, minutes}` shows the place in the queue. The
// language menu also sets the conversation's language (`chosen_language` in the next
// message's metadata). Every message element carries `lang`.

import { io } from "socket.io-client";
import { articleCard, articleOf, otherLanguage } from "./article.js";
import { Delivery } from "./delivery.js";
import { customerTimeZone, hoursLines, periodsOf } from "./hours.js";
import css from "./widget.css";
import { LANGUAGE_NAMES, LANGUAGES, initialLanguage, supportedLanguage, t } from "./i18n.js";
import { ACCEPTED_TYPES, uploadScreenshot } from "./screenshot.js";
import { Store } from "./store.js";
import { linkified } from "./text.js";
import { countedTitle, unreadCount } from "./unread.js";

const MAX_CHARS = 5000; // the server cuts longer messages; the box never lets one through
const COUNTER_FROM = 4500; // show the character count only when the limit is near
const TYPING_TIMEOUT_MS = 60000; // a reply that never comes must not leave "typing" forever
const HANDOFF_STATES = ["queued", "agent", "ended"];
const PAUSED_STATES = ["queued", "agent"]; // the bot does not answer: no "typing"
const HANDOFF_PAYLOAD = "/talk_to_human"; // the intent a person is asked for with
// no answer to missed_messages by then (an older server): show what arrived meanwhile
const CATCH_UP_TIMEOUT_MS = 10000;

// Captured now: document.currentScript is only set while this file first runs.
const SCRIPT = document.currentScript;

function readConfig(script) {
  const data = (script && script.dataset) || {};
  const fallback = `${location.protocol}//${location.hostname}:5005`;
  return {
    rasaUrl: (data.rasaUrl || fallback).replace(/\/+$/, ""),
    language: data.language || "auto",
  };
}

function element(tag, className, attributes = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function newId() {
  // crypto.randomUUID needs a secure context; a page on plain http by IP has none
  if (window.crypto && typeof window.crypto.randomUUID === "function" && window.isSecureContext) {
    return window.crypto.randomUUID();
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** A paperclip (decorative: the button's label says what it does). */
function paperclip() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  for (const [name, value] of Object.entries({
    viewBox: "0 0 24 24", width: "22", height: "22", "aria-hidden": "true", focusable: "false",
  })) svg.setAttribute(name, value);
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l8.6-8.6a3.3 3.3 0 0 1 4.7 4.7l-8.6 8.6a1.7 1.7 0 0 1-2.4-2.4l7.9-7.9");
  for (const [name, value] of Object.entries({
    fill: "none", stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round", "stroke-linejoin": "round",
  })) path.setAttribute(name, value);
  svg.append(path);
  return svg;
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The quick replies of a payload, keeping only well-formed {title, payload} pairs. */
function quickRepliesOf(payload) {
  const buttons = Array.isArray(payload.quick_replies) ? payload.quick_replies : [];
  return buttons
    .filter((b) => isObject(b) && typeof b.title === "string" && typeof b.payload === "string")
    .map((b) => ({ title: b.title, payload: b.payload }));
}

/** The payload's text plus any image or attachment URL, which render as links. */
function textOf(payload) {
  const parts = [typeof payload.text === "string" ? payload.text : ""];
  for (const key of ["image", "attachment"]) {
    if (typeof payload[key] === "string") parts.push(payload[key]);
  }
  return parts.filter(Boolean).join("\n");
}

class ChatWidget {
  constructor(config) {
    this.config = config;
    this.store = new Store(config.rasaUrl);
    this.language =
      supportedLanguage(this.store.get("language", null)) || initialLanguage(config.language);
    this.history = this.store.history;
    this.queue = this.store.queue;
    const handoff = this.store.get("handoff", null);
    this.handoff = isObject(handoff) ? handoff : { state: null, agent: null };
    this.waitingState = waitingOf(this.store.get("waiting", null));
    this.unread = unreadCount(this.store.get("unread", 0));
    this.socket = null;
    this.confirmed = false; // the server put this socket in the session's room
    this.typingTimer = null;
    // server messages shown: their keys ("<conversation>#<id>") are in the history
    const shown = this.history.map((entry) => entry.delivery);
    this.delivery = new Delivery(this.store, shown, (payload, key) => this.show(payload, key));
  }

  mount() {
    const host = element("div", "", { id: "rasa-support-widget" });
    const root = host.attachShadow({ mode: "open" });
    this.applyStyles(root);
    this.buildLauncher(root);
    this.buildPanel(root);
    document.body.append(host);
    this.translate();
    this.history.forEach((entry) => this.renderEntry(entry));
    this.renderWaiting();
    this.renderTalkButton();
    this.renderQuickReplies();
    this.updateAttach();
    if (this.store.get("open", false)) this.open({ focus: false });
    // Reconnect at once when there is a conversation to continue (agent messages
    // may arrive) or unsent messages; a new visitor connects on first open.
    if (this.store.sessionSecret || this.queue.length) this.connect();
  }

  applyStyles(root) {
    // A constructed sheet needs no inline <style>, so pages with a strict CSP work.
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet.prototype.replaceSync === "function") {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } else {
      const style = document.createElement("style");
      style.textContent = css;
      root.append(style);
    }
  }

  buildLauncher(root) {
    this.launcher = element("button", "launcher", {
      type: "button",
      "aria-expanded": "false",
      "aria-controls": "rw-panel",
    });
    this.launcherText = element("span", "launcher-text");
    // the count is in the launcher's accessible name; the badge is for the eyes
    this.badge = element("span", "badge", { "aria-hidden": "true", "data-unread": "" });
    this.badge.hidden = true;
    this.launcher.append(this.launcherText, this.badge);
    this.launcher.addEventListener("click", () => this.open());
    root.append(this.launcher);
  }

  buildPanel(root) {
    this.panel = element("section", "panel", {
      id: "rw-panel",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": "rw-title",
    });
    this.panel.hidden = true;
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.close();
    });
    this.panel.append(
      this.buildHeader(),
      this.buildStatus(),
      this.buildLog(),
      this.buildWaiting(),
      this.buildTalkButton(),
      this.buildForm(),
    );
    root.append(this.panel);
  }

  buildHeader() {
    const header = element("div", "header");
    this.title = element("h2", "title", { id: "rw-title" });
    this.languageLabel = element("label", "visually-hidden", { for: "rw-language" });
    this.languageSelect = element("select", "language", { id: "rw-language" });
    for (const code of LANGUAGES) {
      const option = element("option", "", { value: code, lang: code });
      option.textContent = LANGUAGE_NAMES[code];
      this.languageSelect.append(option);
    }
    this.languageSelect.addEventListener("change", () =>
      this.setLanguage(this.languageSelect.value),
    );
    this.closeButton = element("button", "close", { type: "button" });
    this.closeButton.textContent = "×";
    this.closeButton.addEventListener("click", () => this.close());
    header.append(this.title, this.languageLabel, this.languageSelect, this.closeButton);
    return header;
  }

  buildStatus() {
    this.status = element("p", "status", { role: "status" });
    this.status.hidden = true;
    return this.status;
  }

  buildWaiting() {
    this.waiting = element("p", "waiting", { role: "status", "data-waiting": "" });
    this.waiting.hidden = true;
    return this.waiting;
  }

  buildTalkButton() {
    this.talkButton = element("button", "talk", { type: "button", "data-talk": "" });
    this.talkButton.addEventListener("click", () => {
      this.send(HANDOFF_PAYLOAD, t(this.language, "talkToPerson"));
      this.input.focus();
    });
    return this.talkButton;
  }

  buildLog() {
    this.log = element("div", "log", {
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
    });
    this.log.tabIndex = 0; // keyboard users can scroll the conversation
    // outside the live region: "typing" is not worth interrupting a screen reader for
    this.typing = element("div", "typing", { "data-typing": "" });
    this.typing.hidden = true;
    const fragment = document.createDocumentFragment();
    fragment.append(this.log, this.typing);
    return fragment;
  }

  buildForm() {
    const form = element("form", "form", { novalidate: "" });
    const row = element("div", "row");
    this.inputLabel = element("label", "visually-hidden", { for: "rw-input" });
    this.input = element("textarea", "input", {
      id: "rw-input",
      rows: "1",
      maxlength: String(MAX_CHARS),
      "aria-describedby": "rw-hint",
      autocomplete: "off",
    });
    this.sendButton = element("button", "send", { type: "submit" });
    this.sendButton.disabled = true;
    this.hint = element("p", "hint", { id: "rw-hint", "aria-live": "polite" });
    row.append(this.buildAttach(), this.inputLabel, this.input, this.sendButton);
    form.append(row, this.hint);

    this.input.addEventListener("input", () => this.onInput());
    this.input.addEventListener("keydown", (event) => {
      // Enter sends, Shift+Enter is a new line; not while an IME is composing
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.sendTyped();
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.sendTyped();
    });
    return form;
  }

  /** The paperclip (shown while a person is in the chat) and its hidden file picker. */
  buildAttach() {
    const fragment = document.createDocumentFragment();
    this.attachButton = element("button", "attach", { type: "button" });
    this.attachButton.append(paperclip());
    // never shown: the paperclip opens it (browsers allow that on a hidden input)
    this.fileInput = element("input", "", { type: "file", accept: ACCEPTED_TYPES });
    this.fileInput.hidden = true;
    this.attachButton.addEventListener("click", () => this.fileInput.click());
    this.fileInput.addEventListener("change", () => {
      const [file] = this.fileInput.files || [];
      this.fileInput.value = ""; // the same file can be picked again
      if (file) this.sendScreenshot(file);
    });
    fragment.append(this.attachButton, this.fileInput);
    return fragment;
  }

  updateAttach() {
    this.attachButton.hidden = this.handoff.state !== "agent";
  }

  async sendScreenshot(file) {
    this.attachButton.disabled = true;
    this.showHint(t(this.language, "screenshotSending"), "screenshot");
    const problem = await uploadScreenshot(this.config.rasaUrl, this.store.sessionSecret, file);
    this.attachButton.disabled = false;
    if (problem) {
      this.showHint(t(this.language, problem), "screenshot-error");
    } else {
      this.showHint("");
      this.addEntry({ id: newId(), from: "user", text: t(this.language, "screenshotSent"), screenshot: true });
    }
    if (!this.attachButton.hidden) this.attachButton.focus(); // the picker took the focus
  }

  // --- language ------------------------------------------------------------------

  setLanguage(language) {
    const chosen = supportedLanguage(language);
    if (!chosen) return;
    if (chosen !== this.language) {
      // the bot answers in it from the next message: sent with that message
      this.store.set("chosenLanguage", chosen);
    }
    this.language = chosen;
    this.store.set("language", chosen); // an explicit pick wins over the page's language
    this.translate();
  }

  /** Every word of the frame in the current language; messages stay as they were. */
  translate() {
    const lang = this.language;
    this.panel.lang = lang;
    this.launcher.lang = lang;
    this.launcherText.textContent = t(lang, "launcher");
    this.talkButton.textContent = t(lang, "talkToPerson");
    this.title.textContent = t(lang, "title");
    this.languageLabel.textContent = t(lang, "languageLabel");
    this.languageSelect.value = lang;
    this.closeButton.setAttribute("aria-label", t(lang, "close"));
    this.log.setAttribute("aria-label", t(lang, "logLabel"));
    this.typing.textContent = t(lang, "typing");
    this.inputLabel.textContent = t(lang, "inputLabel");
    this.input.placeholder = t(lang, "placeholder");
    this.sendButton.textContent = t(lang, "send");
    this.attachButton.setAttribute("aria-label", t(lang, "attach"));
    this.attachButton.title = t(lang, "attach");
    for (const node of this.log.querySelectorAll("[data-label]")) {
      node.textContent = this.senderName(node.dataset.label, node.dataset.agent);
      node.lang = lang; // the widget's word, inside a message that may be in another
    }
    for (const node of this.log.querySelectorAll("[data-banner]")) {
      node.textContent = this.bannerText(node.dataset.banner, node.dataset.agent);
      node.lang = lang;
    }
    for (const node of this.log.querySelectorAll("[data-greeting]")) {
      this.fillGreeting(node);
    }
    for (const node of this.log.querySelectorAll("[data-note]")) {
      node.textContent = t(lang, "pending");
      node.lang = lang;
    }
    for (const node of this.log.querySelectorAll("[data-read]")) {
      node.textContent = t(lang, "readArticle");
    }
    for (const node of this.log.querySelectorAll("[data-article-note]")) {
      node.textContent = this.articleNote(node.dataset.articleNote);
      node.hidden = !node.textContent;
    }
    for (const node of this.log.querySelectorAll(".quick-replies")) {
      node.setAttribute("aria-label", t(lang, "suggestions"));
    }
    if (this.statusKey) this.status.textContent = t(lang, this.statusKey);
    this.renderWaiting();
    this.renderUnread();
    this.onInput();
  }

  // --- open and close ------------------------------------------------------------

  open({ focus = true } = {}) {
    this.panel.hidden = false;
    this.launcher.hidden = true;
    this.launcher.setAttribute("aria-expanded", "true");
    this.store.set("open", true);
    this.setUnread(0);
    // a new conversation starts with the greeting, once (kept in the history)
    if (this.history.length === 0) this.addEntry({ id: newId(), from: "greeting" });
    this.scrollToEnd();
    this.connect();
    if (focus) this.input.focus();
  }

  close() {
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute("aria-expanded", "false");
    this.store.set("open", false);
    this.launcher.focus(); // focus goes back where the user opened the chat
  }

  // --- the message box -----------------------------------------------------------

  onInput() {
    const value = this.input.value;
    this.sendButton.disabled = value.trim() === "";
    const kind = this.hint.dataset.kind;
    if (value.length >= COUNTER_FROM) {
      this.showHint(t(this.language, "counter", { n: value.length, max: MAX_CHARS }), "counter");
    } else if (kind === "counter" || (kind === "empty" && value.trim())) {
      this.showHint("");
    }
    // grow with the text up to a few lines, then scroll inside the box
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 120)}px`;
  }

  showHint(text, kind = "") {
    this.hint.textContent = text;
    this.hint.dataset.kind = text ? kind : "";
  }

  sendTyped() {
    const text = this.input.value;
    if (!text.trim()) {
      this.showHint(t(this.language, "emptyHint"), "empty");
      this.input.focus();
      return;
    }
    this.input.value = "";
    this.onInput();
    this.send(text, text);
    this.input.focus();
  }

  /** Show `shown` as the user's bubble and send `message` (a quick reply's payload). */
  send(message, shown) {
    const id = newId();
    this.addEntry({ id, from: "user", text: shown, pending: true, lang: this.language });
    this.queue.push({ id, message: message.slice(0, MAX_CHARS) });
    this.store.queue = this.queue;
    this.connect();
    this.flush();
  }

  // --- the connection ------------------------------------------------------------

  connect() {
    if (this.socket) return;
    this.setStatus("connecting");
    // socket.io-client reconnects by itself, with backoff, after a dropped connection
    this.socket = io(this.config.rasaUrl, { path: "/socket.io" });
    this.socket.on("connect", () => {
      // every (re)connection is a new socket: ask to rejoin the same conversation,
      // with its secret (the server makes one for a new visitor)
      this.confirmed = false;
      this.socket.emit("session_request", { session_secret: this.store.sessionSecret });
    });
    this.socket.on("session_confirm", (data) => this.onSessionConfirm(data));
    this.socket.on("bot_uttered", (payload) => this.receive(payload));
    this.socket.on("waiting", (state) => this.onWaiting(state));
    this.socket.on("disconnect", (reason) => {
      this.confirmed = false;
      this.setStatus("offline");
      // the server closed on purpose: socket.io does not retry that by itself
      if (reason === "io server disconnect") this.socket.connect();
    });
    this.socket.on("connect_error", () => this.setStatus("offline"));
  }

  onSessionConfirm(data) {
    if (!isObject(data)) return;
    const { session_id: id, session_secret: secret } = data;
    if (typeof id !== "string" || !id || typeof secret !== "string" || !secret) return;
    this.store.sessionId = id;
    this.store.sessionSecret = secret;
    if (isObject(data.support_hours)) {
      this.store.set("hours", data.support_hours);
      for (const node of this.log.querySelectorAll("[data-greeting]")) this.fillGreeting(node);
    }
    this.confirmed = true;
    this.setStatus(null);
    this.catchUp();
    this.flush();
  }

  /** Ask for the messages sent after the last one shown (while this page was closed,
   * or offline); live ones wait for the answer, then all show in order (delivery.js). */
  catchUp() {
    const session = this.store.sessionId;
    const { round, after } = this.delivery.startCatchUp(session);
    let timer = null;
    const finish = (answer) => {
      clearTimeout(timer);
      this.delivery.endCatchUp(round, answer, session);
    };
    timer = setTimeout(() => finish(null), CATCH_UP_TIMEOUT_MS);
    this.socket.emit("missed_messages", { after }, finish);
  }

  /** Send every queued message, in order, once the session is confirmed. */
  flush() {
    const socket = this.socket;
    if (!socket || !socket.connected || !this.confirmed || this.queue.length === 0) return;
    while (this.queue.length) {
      const item = this.queue.shift();
      // on every message, so even a short first message is answered in this language;
      // the time zone says when the team is back in the customer's own time
      const metadata = { language: this.language };
      const zone = customerTimeZone();
      if (zone) metadata.timezone = zone;
      const chosen = supportedLanguage(this.store.get("chosenLanguage", null));
      if (chosen) metadata.chosen_language = chosen; // the menu's pick, once
      // the server knows this socket's conversation from session_confirm
      socket.emit("user_uttered", { message: item.message, metadata });
      this.store.set("chosenLanguage", null);
      this.markSent(item.id);
    }
    this.store.queue = this.queue;
    if (!PAUSED_STATES.includes(this.handoff.state)) this.showTyping();
  }

  setStatus(key) {
    this.statusKey = key;
    this.status.hidden = !key;
    this.status.textContent = key ? t(this.language, key) : "";
    this.status.dataset.state = key || "online";
  }

  // --- receiving -----------------------------------------------------------------

  receive(payload) {
    this.delivery.receive(payload, this.store.sessionId);
  }

  /** Show one server message (`delivery`: its key, kept in the history). */
  show(payload, delivery) {
    const custom = isObject(payload.custom) ? payload.custom : null;
    const agent = custom && typeof custom.agent === "string" ? custom.agent : null;
    if (custom && HANDOFF_STATES.includes(custom.handoff)) {
      this.updateHandoff(custom.handoff, agent, delivery);
    }
    const text = textOf(payload);
    const article = custom ? articleOf(custom.article) : null;
    const quickReplies = quickRepliesOf(payload);
    this.hideTyping();
    if (!text && !article && quickReplies.length === 0) return;
    // a message marked with an agent, outside an ended handoff, is the person's
    const fromAgent = agent !== null && custom.handoff !== "ended";
    this.addEntry({
      id: newId(),
      delivery,
      from: fromAgent ? "agent" : "bot",
      agent: fromAgent ? agent : undefined,
      // the server says when it can tell; else the language the bot was asked to use
      lang: supportedLanguage(payload.lang) || this.language,
      text,
      // kept in the history so a reload shows the card again
      article: article || undefined,
      quickReplies,
    });
  }

  updateHandoff(state, agent, delivery) {
    if (state === this.handoff.state && (state !== "agent" || agent === this.handoff.agent)) {
      return;
    }
    this.handoff = { state, agent };
    this.store.set("handoff", this.handoff);
    this.updateAttach();
    if (PAUSED_STATES.includes(state)) this.hideTyping();
    this.renderTalkButton();
    this.addEntry({ id: newId(), delivery, from: "banner", handoff: state, agent: agent || undefined });
  }

  // --- the wait ------------------------------------------------------------------

  onWaiting(data) {
    const state = waitingOf(data);
    if (!state) return;
    this.waitingState = state.position > 0 ? state : null;
    this.store.set("waiting", this.waitingState);
    // in hours the bot is paused for the person on the way; out of hours it answers
    if (state.position > 0 && state.inHours) this.updateHandoff("queued", null, undefined);
    this.renderWaiting();
  }

  renderWaiting() {
    const state = this.waitingState;
    this.waiting.hidden = !state;
    if (!state) {
      this.waiting.textContent = "";
      return;
    }
    const key = state.inHours ? "waitingOpen" : "waitingClosed";
    this.waiting.lang = this.language;
    this.waiting.textContent = t(this.language, key, state);
  }

  renderTalkButton() {
    // already asked for, or with a person: the button would only open a second request
    this.talkButton.hidden = PAUSED_STATES.includes(this.handoff.state);
  }

  // --- unread, while the chat is closed ---------------------------------------------

  setUnread(count) {
    this.unread = unreadCount(count);
    this.store.set("unread", this.unread);
    this.renderUnread();
  }

  renderUnread() {
    const count = this.unread;
    this.badge.hidden = count === 0;
    this.badge.textContent = count ? String(count) : "";
    if (count) {
      const unread = count === 1 ? t(this.language, "unreadOne") : t(this.language, "unreadMany", { n: count });
      this.launcher.setAttribute("aria-label", `${t(this.language, "launcher")}, ${unread}`);
    } else {
      this.launcher.removeAttribute("aria-label");
    }
    // the page's title changes only while there is a count, and back only if ours
    if (count) {
      document.title = countedTitle(document.title, count);
      this.countedPageTitle = document.title;
    } else if (this.countedPageTitle && document.title === this.countedPageTitle) {
      document.title = countedTitle(document.title, 0);
      this.countedPageTitle = null;
    }
  }

  showTyping() {
    this.typing.hidden = false;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.hideTyping(), TYPING_TIMEOUT_MS);
    this.scrollToEnd();
  }

  hideTyping() {
    clearTimeout(this.typingTimer);
    this.typing.hidden = true;
  }

  // --- the conversation log ------------------------------------------------------

  addEntry(entry) {
    this.history.push(entry);
    this.store.history = this.history;
    if (this.panel.hidden && entry.from !== "user") this.setUnread(this.unread + 1);
    this.renderEntry(entry);
    this.renderQuickReplies();
    this.scrollToEnd();
  }

  markSent(id) {
    const entry = this.history.find((candidate) => candidate.id === id);
    if (entry) entry.pending = false;
    this.store.history = this.history;
    const node = this.log.querySelector(`[data-id="${CSS.escape(id)}"]`);
    if (!node) return;
    node.classList.remove("pending");
    node.removeAttribute("data-pending");
    node.querySelector("[data-note]")?.remove();
  }

  renderEntry(entry) {
    if (entry.from === "greeting") {
      const greeting = element("div", "greeting", { "data-greeting": "" });
      this.fillGreeting(greeting);
      this.log.append(greeting);
      return;
    }
    if (entry.from === "banner") {
      const banner = element("div", "banner", { "data-banner": entry.handoff, lang: this.language });
      if (entry.agent) banner.dataset.agent = entry.agent;
      banner.textContent = this.bannerText(entry.handoff, entry.agent);
      this.log.append(banner);
      return;
    }
    const from = ["user", "agent"].includes(entry.from) ? entry.from : "bot";
    const item = element("div", `msg from-${from}`, { "data-from": from });
    if (entry.id) item.dataset.id = entry.id;
    // a screen reader reads it with the voice of its language (older entries: the widget's)
    item.lang = supportedLanguage(entry.lang) || this.language;
    // the sender is read out to screen readers; only an agent's name is shown
    const sender = element("span", from === "agent" ? "sender" : "sender visually-hidden", {
      "data-label": from,
    });
    if (entry.agent) sender.dataset.agent = entry.agent;
    sender.textContent = this.senderName(from, entry.agent);
    sender.lang = this.language; // the widget's word ("Assistente") in a reply's language
    item.append(sender, this.messageBody(entry, item));
    if (entry.pending) {
      item.classList.add("pending");
      item.dataset.pending = "";
      const note = element("span", "note", { "data-note": "", lang: this.language });
      note.textContent = t(this.language, "pending");
      item.append(note);
    }
    this.log.append(item);
  }

  /** The message's text with its links, or its article's card (one node either way,
   * so the log announces the message once). */
  messageBody(entry, item) {
    // checked again: the history comes back from storage, which anything on the page can write
    const article = entry.from === "user" ? null : articleOf(entry.article);
    if (!article) {
      const body = element("span", "body");
      body.append(linkified(entry.text || ""));
      return body;
    }
    item.classList.add("has-article");
    const body = element("div", "body");
    const headingId = `rw-article-${entry.id || newId()}`;
    const words = { read: t(this.language, "readArticle"), note: this.articleNote(article.language) };
    body.append(articleCard(article, words, headingId));
    return body;
  }

  /** "This article is only in English." when the article is not in the widget's language. */
  articleNote(articleLanguage) {
    const other = otherLanguage(articleLanguage, this.language);
    if (!other) return "";
    return t(this.language, "articleOtherLanguage", { language: LANGUAGE_NAMES[other] || other });
  }

  /** Buttons for the last message's quick replies; older ones are no longer offered. */
  renderQuickReplies() {
    for (const old of this.log.querySelectorAll(".quick-replies")) old.remove();
    const last = this.history[this.history.length - 1];
    if (!last || last.from === "user" || !last.quickReplies || !last.quickReplies.length) return;
    const group = element("div", "quick-replies", {
      role: "group",
      "aria-label": t(this.language, "suggestions"),
    });
    for (const reply of last.quickReplies) {
      const button = element("button", "quick-reply", { type: "button" });
      button.textContent = reply.title;
      button.addEventListener("click", () => {
        this.send(reply.payload, reply.title);
        this.input.focus(); // the clicked button is gone: keep focus in the chat
      });
      group.append(button);
    }
    this.log.append(group);
  }

  /** The greeting and the team's hours, in the widget's language and the customer's time. */
  fillGreeting(node) {
    const lang = this.language;
    node.lang = lang;
    if (!node.firstChild) {
      // made once: the log announces additions, and the greeting is read once
      node.append(element("p", "greeting-text"), element("div", "", { "data-hours": "" }));
    }
    const [hello, hours] = node.children;
    hello.textContent = t(lang, "greeting");
    const lines = hoursLines(periodsOf(this.store.get("hours", null), lang), lang);
    if (!lines.length) {
      hours.replaceChildren();
      return;
    }
    const title = element("p", "hours-title");
    title.textContent = t(lang, "hoursTitle");
    const list = element("ul", "hours");
    for (const line of lines) {
      const item = element("li");
      item.textContent = `${line.days} ${line.hours || t(lang, "allDay")}`;
      list.append(item);
    }
    hours.replaceChildren(title, list);
  }

  senderName(from, agent) {
    if (from === "user") return t(this.language, "you");
    if (from === "agent") return agent || t(this.language, "agent");
    return t(this.language, "assistant");
  }

  bannerText(state, agent) {
    if (state === "queued") return t(this.language, "handoffQueued");
    if (state === "ended") return t(this.language, "handoffEnded");
    return agent
      ? t(this.language, "handoffAgentNamed", { agent })
      : t(this.language, "handoffAgent");
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }
}

/** A `waiting` event's {position, minutes, inHours}, or null when malformed. */
function waitingOf(data) {
  if (!isObject(data)) return null;
  const { position, minutes } = data;
  if (!Number.isInteger(position) || position < 0 || !Number.isInteger(minutes) || minutes < 0) {
    return null;
  }
  if (position === 0) return { position: 0, minutes: 0, inHours: true };
  return { position, minutes, inHours: data.in_hours !== false && data.inHours !== false };
}

function start() {
  if (window.__rasaSupportWidget) return; // the tag was included twice
  const widget = new ChatWidget(readConfig(SCRIPT));
  window.__rasaSupportWidget = widget;
  widget.mount();
}

if (document.body) {
  start();
} else {
  document.addEventListener("DOMContentLoaded", start, { once: true });
}
