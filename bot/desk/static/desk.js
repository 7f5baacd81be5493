// Agent desk: polls the queue (3 s) and the open ticket's live chat (1 s).
"use strict";

const HEADERS = { "Content-Type": "application/json", "X-Desk-Request": "1" };
let current = null;   // id of the ticket on screen
let since = 0;        // Unix time of the newest live message shown
let me = null;        // the signed-in agent: {username, name, languages}
const rows = new Map();  // ticket id -> its queue row, kept between refreshes
let queueShown = false;  // false until the first list of these filters is on screen
const screenshotsShown = new Set();  // ids of the open ticket's screenshots in the live chat

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;   // never innerHTML: texts come from customers
  if (cls) node.className = cls;
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  if (response.status === 401) { location.href = "/login"; throw new Error("signed out"); }
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function post(path, body) {
  return api(path, { method: "POST", headers: HEADERS, body: JSON.stringify(body || {}) });
}

function say(text) { document.getElementById("status").textContent = text; }

/** The queue's status line: read out by screen readers, seen by everyone. */
function news(text) { document.getElementById("queue-news").textContent = text; }

function ticketLabel(t) {
  return `#${t.id} · ${t.language} · ${t.topic} · ` +
    (t.status === "queued" ? `queue ${t.queue_position}` : `with ${t.assigned_name}`);
}

/** The ticket's row, made once and then only updated where its text changed. */
function queueRow(t) {
  let item = rows.get(t.id);
  if (!item) {
    item = el("li");
    const button = el("button");
    button.type = "button";
    button.dataset.ticket = t.id;
    button.addEventListener("click", () => openTicket(t.id));
    item.append(button);
    rows.set(t.id, item);
  }
  const button = item.firstChild;
  const label = ticketLabel(t);
  if (button.textContent !== label) button.textContent = label;
  button.setAttribute("aria-current", String(t.id === current));
  return item;
}

/** Refresh the queue in place, every 3 s: a row keeps its node, so the keyboard focus
 * stays where the agent put it, and only new tickets are announced (the list itself is
 * not a live region: it would read every row out again). */
async function loadQueue() {
  const params = new URLSearchParams();
  const language = document.getElementById("filter-language").value;
  const topic = document.getElementById("filter-topic").value;
  if (language) params.set("language", language);
  if (topic) params.set("topic", topic);
  const { tickets } = await api("/api/tickets?" + params);
  const list = document.getElementById("tickets");
  const added = tickets.filter((t) => !rows.has(t.id)).length;
  const wanted = tickets.map(queueRow);
  const kept = new Set(wanted);
  for (const [id, item] of rows) {
    if (kept.has(item)) continue;
    // a ticket gone from the list (taken, closed): focus on it goes to the heading
    if (item.contains(document.activeElement)) document.getElementById("queue-title").focus();
    item.remove();
    rows.delete(id);
  }
  wanted.forEach((item, index) => {
    // only a row out of place moves: moving the focused one would drop the focus
    const here = list.children[index];
    if (here !== item) list.insertBefore(item, here || null);
  });
  if (queueShown && added) news(added === 1 ? "1 new conversation" : `${added} new conversations`);
  queueShown = true;
}

function filtersChanged() {
  queueShown = false;  // what a new filter shows is not new
  news("");
  loadQueue();
}

function renderVerification(ticket) {
  const box = document.getElementById("verification");
  const v = ticket.verification || {};
  const lines = [el("p", `Status: ${v.status}` + (v.method ? ` (${v.method.replace(/_/g, " ")})` : "") +
    (ticket.account ? ` · account ${ticket.account.account_id} (${ticket.account.status})` : "") +
    (v.account_found ? "" : " · no account found from the details"))];
  const table = el("table");
  table.append(...(v.details || []).map((d) => {
    const row = el("tr");
    const matched = d.matched === true ? "matched" : d.matched === false ? "does not match" : "not checked";
    row.append(el("th", d.name.replace(/_/g, " ")), el("td", d.value ?? "—"), el("td", matched));
    return row;
  }));
  box.replaceChildren(...lines, table);
}

function addLines(list, messages) {
  for (const m of messages) {
    const who = m.role === "agent" ? (m.agent || "agent") : m.role === "user" ? "customer" : "bot";
    list.append(el("li", `${who}: ${m.text}`, m.role));
  }
  list.scrollTop = list.scrollHeight;
}

/** Send and Hand back work only on a ticket this agent has claimed (the server
 * refuses the others too); the hint says why they are off. */
function enableActions(ticket) {
  const mine = ticket.status === "assigned" && me !== null && ticket.assigned_to === me.username;
  document.getElementById("claim").hidden = ticket.status !== "queued";
  document.getElementById("send-button").disabled = !mine;
  document.getElementById("handback-button").disabled = !mine;
  const hint = document.getElementById("claim-first");
  hint.hidden = mine;
  hint.textContent = ticket.status === "closed" ? "This ticket is closed."
    : ticket.status === "assigned" && !mine ? `${ticket.assigned_name} has this ticket.`
    : "Claim the ticket to write to the customer or hand it back.";
}

async function openTicket(id) {
  const another = id !== current;
  current = id;
  since = 0;
  const ticket = await api(`/api/tickets/${id}`);
  if (another) {
    // nothing typed for, or said about, the previous ticket stays on screen
    document.getElementById("message").value = "";
    document.getElementById("note").value = "";
    say("");
  }
  document.getElementById("ticket").hidden = false;
  document.getElementById("ticket-title").textContent = `Ticket #${ticket.id} · ${ticket.language} · ${ticket.channel}` +
    (ticket.assigned_name ? ` · with ${ticket.assigned_name}` : "");
  document.getElementById("summary").textContent = ticket.summary;
  renderVerification(ticket);
  const transcript = document.getElementById("transcript");
  transcript.replaceChildren();
  addLines(transcript, ticket.transcript);
  document.getElementById("live").replaceChildren();
  screenshotsShown.clear();
  enableActions(ticket);
  document.dispatchEvent(new CustomEvent("desk:ticket", { detail: ticket }));  // agent_tools.js
  await pollMessages();
  pollScreenshots().catch(() => {});
  loadQueue();
}

/** A customer's screenshot in the live chat: the image (served to this agent only),
 * opening full size in a new tab. */
function screenshotLine(shot) {
  const item = el("li", undefined, "user screenshot");
  const link = el("a");
  link.href = shot.url;
  link.target = "_blank";
  link.rel = "noopener";
  const image = el("img");
  image.src = shot.url;
  image.alt = `Screenshot from the customer, ${shot.width} × ${shot.height} pixels (opens full size)`;
  link.append(image);
  item.append(el("span", "customer sent a screenshot: "), link);
  return item;
}

async function pollScreenshots() {
  if (current === null) return;
  const ticket = current;
  const { screenshots } = await api(`/api/tickets/${ticket}/screenshots`);
  if (ticket !== current) return;  // another ticket was opened meanwhile
  const list = document.getElementById("live");
  for (const shot of screenshots.filter((s) => !screenshotsShown.has(s.id))) {
    screenshotsShown.add(shot.id);
    list.append(screenshotLine(shot));
    list.scrollTop = list.scrollHeight;
  }
}

async function pollMessages() {
  if (current === null) return;
  const { messages } = await api(`/api/tickets/${current}/messages?since=${since}`);
  if (messages.length) {
    since = messages[messages.length - 1].at;
    addLines(document.getElementById("live"), messages);
  }
}

async function setUpDesk() {
  me = await api("/api/me");
  document.getElementById("me").textContent = `${me.name} (${me.languages.join(", ")})`;
  document.getElementById("insights-link").hidden = !me.supervisor; // the server refuses agents too
  const select = document.getElementById("filter-language");
  for (const language of me.languages) select.append(new Option(language, language));
  document.dispatchEvent(new CustomEvent("desk:me", { detail: me }));  // agent_tools.js
  document.getElementById("filter-language").addEventListener("change", filtersChanged);
  document.getElementById("filter-topic").addEventListener("change", filtersChanged);
  document.getElementById("claim").addEventListener("click", async () => {
    try { await post(`/api/tickets/${current}/claim`); say("Claimed: the customer sees you joined."); openTicket(current); }
    catch (error) { say(error.message); }
  });
  document.getElementById("send").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("message");
    if (!input.value.trim()) return;
    try { await post(`/api/tickets/${current}/messages`, { text: input.value }); input.value = ""; pollMessages(); }
    catch (error) { say(error.message); }
  });
  document.getElementById("handback").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await post(`/api/tickets/${current}/handback`, { note: document.getElementById("note").value });
      news(`Ticket #${current} handed back to the bot and closed.`);
      current = null;
      document.getElementById("note").value = "";
      document.getElementById("ticket").hidden = true;
      document.getElementById("queue-title").focus();  // the focused button was hidden
      loadQueue();
    } catch (error) { say(error.message); }
  });
  loadQueue();
  setInterval(() => loadQueue().catch(() => {}), 3000);
  setInterval(() => pollMessages().catch(() => {}), 1000);
  setInterval(() => pollScreenshots().catch(() => {}), 2000);
}

if (document.body.classList.contains("desk")) setUpDesk();
if (document.body.classList.contains("login") && location.search.includes("failed")) {
  document.getElementById("failed").hidden = false;
}
