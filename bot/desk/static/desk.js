// Agent desk: polls the queue (3 s) and the open ticket's live chat (1 s).
"use strict";

const HEADERS = { "Content-Type": "application/json", "X-Desk-Request": "1" };
let current = null;   // id of the ticket on screen
let since = 0;        // Unix time of the newest live message shown

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

async function loadQueue() {
  const params = new URLSearchParams();
  const language = document.getElementById("filter-language").value;
  const topic = document.getElementById("filter-topic").value;
  if (language) params.set("language", language);
  if (topic) params.set("topic", topic);
  const { tickets } = await api("/api/tickets?" + params);
  const list = document.getElementById("tickets");
  list.replaceChildren(...tickets.map((t) => {
    const item = el("li");
    const label = `#${t.id} · ${t.language} · ${t.topic} · ` +
      (t.status === "queued" ? `queue ${t.queue_position}` : `with ${t.assigned_to}`);
    const button = el("button", label);
    button.type = "button";
    button.dataset.ticket = t.id;
    button.setAttribute("aria-current", String(t.id === current));
    button.addEventListener("click", () => openTicket(t.id));
    item.append(button);
    return item;
  }));
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

async function openTicket(id) {
  current = id;
  since = 0;
  const ticket = await api(`/api/tickets/${id}`);
  document.getElementById("ticket").hidden = false;
  document.getElementById("ticket-title").textContent = `Ticket #${ticket.id} · ${ticket.language} · ${ticket.channel}`;
  document.getElementById("summary").textContent = ticket.summary;
  renderVerification(ticket);
  const transcript = document.getElementById("transcript");
  transcript.replaceChildren();
  addLines(transcript, ticket.transcript);
  document.getElementById("live").replaceChildren();
  document.getElementById("claim").hidden = ticket.status !== "queued";
  await pollMessages();
  loadQueue();
}

async function pollMessages() {
  if (current === null) return;
  const { messages } = await api(`/api/tickets/${current}/messages?since=${since}`);
  if (messages.length) {
    since = messages[messages.length - 1].at;
    addLines(document.getElementById("live"), messages);
  }
}

function setUpDesk() {
  api("/api/me").then((me) => {
    document.getElementById("me").textContent = `${me.name} (${me.languages.join(", ")})`;
    const select = document.getElementById("filter-language");
    for (const language of me.languages) select.append(new Option(language, language));
  });
  document.getElementById("filter-language").addEventListener("change", loadQueue);
  document.getElementById("filter-topic").addEventListener("change", loadQueue);
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
      say("Handed back to the bot; ticket closed.");
      current = null;
      document.getElementById("ticket").hidden = true;
      loadQueue();
    } catch (error) { say(error.message); }
  });
  loadQueue();
  setInterval(() => loadQueue().catch(() => {}), 3000);
  setInterval(() => pollMessages().catch(() => {}), 1000);
}

if (document.body.classList.contains("desk")) setUpDesk();
if (document.body.classList.contains("login") && location.search.includes("failed")) {
  document.getElementById("failed").hidden = false;
}
