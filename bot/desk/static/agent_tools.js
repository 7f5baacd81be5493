// Agent tools on the desk (#25): my status, canned replies, transfer, internal notes,
// and the supervisors' canned-reply editor. Uses desk.js's api(), post(), el(), say(),
// openTicket(), loadQueue() and its `current` and `me`; desk.js tells us when the
// agent is known ("desk:me") and when a ticket is on screen ("desk:ticket").
"use strict";

let cannedReplies = [];  // the open ticket's replies, filled in for it: {id, title, text}
let toolsTicket = null;  // the ticket the tools show: a note typed for it stays until another

function toolStatus(text) { document.getElementById("canned-status").textContent = text; }

/** Available / away: away, the queue offers no new ticket (the server decides). */
function setUpStatus(agent) {
  const select = document.getElementById("my-status");
  select.value = agent.status || "available";
  select.addEventListener("change", async () => {
    try {
      await post("/api/me/status", { status: select.value });
      me.status = select.value;
      news(select.value === "away"
        ? "You are away: no new conversation is offered to you."
        : "You are available: new conversations are offered to you.");
      queueShown = false;  // tickets shown again are not new ones
      loadQueue();
    } catch (error) { news(error.message); }
  });
}

function renderNotes(notes) {
  const list = document.getElementById("notes");
  list.replaceChildren(...notes.map((n) =>
    el("li", `${n.author} · ${new Date(n.at + "Z").toLocaleString()}: ${n.text}`, "note")));
}

async function loadCanned(ticketId) {
  const select = document.getElementById("canned");
  const { replies } = await api(`/api/tickets/${ticketId}/canned`);
  if (ticketId !== current) return;
  cannedReplies = replies;
  select.replaceChildren(new Option(replies.length ? "choose…" : "none for this language", ""),
    ...replies.map((r) => new Option(r.title, String(r.id))));
}

async function loadTransferTargets(ticket) {
  const select = document.getElementById("transfer-to");
  const { agents } = await api(`/api/tickets/${ticket.id}/transfer`);
  if (ticket.id !== current) return;
  select.replaceChildren(new Option("the queue (unassign)", ""),
    ...agents.map((a) => new Option(a.name, a.username)));
}

/** Transfer and canned replies follow Send: only for the agent holding the ticket. */
function showTicketTools(ticket) {
  const mine = ticket.status === "assigned" && me !== null && ticket.assigned_to === me.username;
  document.getElementById("transfer-button").disabled = !mine;
  document.getElementById("canned-insert").disabled = !mine;
  renderNotes(ticket.notes || []);
  if (ticket.id !== toolsTicket) document.getElementById("internal-note").value = "";
  toolsTicket = ticket.id;
  loadCanned(ticket.id).catch((error) => say(error.message));
  if (mine) loadTransferTargets(ticket).catch((error) => say(error.message));
}

function setUpTicketTools() {
  document.getElementById("canned-insert").addEventListener("click", () => {
    const chosen = cannedReplies.find((r) => String(r.id) === document.getElementById("canned").value);
    if (!chosen) { say("Choose a canned reply first."); return; }
    const input = document.getElementById("message");
    // into the message box, never sent as is: the agent reads and edits it first
    input.value = input.value.trim() ? `${input.value.trim()} ${chosen.text}` : chosen.text;
    input.focus();
  });
  document.getElementById("transfer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const select = document.getElementById("transfer-to");
    const to = select.value || null;
    const label = select.selectedOptions[0] ? select.selectedOptions[0].textContent : "";
    try {
      await post(`/api/tickets/${current}/transfer`, { to });
      news(to ? `Ticket #${current} transferred to ${label}.` : `Ticket #${current} is back in the queue.`);
      await openTicket(current);
      document.getElementById("ticket-title").setAttribute("tabindex", "-1");
      document.getElementById("ticket-title").focus();  // the Transfer button is now off
    } catch (error) { say(error.message); }
  });
  document.getElementById("note-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("internal-note");
    if (!input.value.trim()) return;
    try {
      const { notes } = await post(`/api/tickets/${current}/notes`, { text: input.value });
      input.value = "";
      renderNotes(notes);
      say("Note added (agents only).");
    } catch (error) { say(error.message); }
  });
}

// --- supervisors: the canned replies of their teams ---------------------------------

function editCanned(reply) {
  document.getElementById("canned-id").value = reply ? String(reply.id) : "";
  document.getElementById("canned-language").value = reply ? reply.language : me.languages[0];
  document.getElementById("canned-language").disabled = Boolean(reply);
  document.getElementById("canned-title").value = reply ? reply.title : "";
  document.getElementById("canned-text").value = reply ? reply.text : "";
  document.getElementById("canned-cancel").hidden = !reply;
  if (reply) document.getElementById("canned-title").focus();
}

async function loadCannedAdmin() {
  const { replies } = await api("/api/canned");
  const list = document.getElementById("canned-list");
  list.replaceChildren(...replies.map((r) => {
    const item = el("li");
    const edit = el("button", "Edit");
    edit.type = "button";
    edit.setAttribute("aria-label", `Edit ${r.title} (${r.language})`);
    edit.addEventListener("click", () => editCanned(r));
    const remove = el("button", "Delete");
    remove.type = "button";
    remove.setAttribute("aria-label", `Delete ${r.title} (${r.language})`);
    remove.addEventListener("click", async () => {
      try {
        await post(`/api/canned/${r.id}/delete`);
        toolStatus(`Deleted “${r.title}”.`);
        editCanned(null);
        document.getElementById("canned-admin-title").focus();
        loadCannedAdmin();
      } catch (error) { toolStatus(error.message); }
    });
    item.append(el("span", `${r.language} · ${r.title}: ${r.text}`, "canned-text"), edit, remove);
    return item;
  }));
}

function setUpCannedAdmin(agent) {
  if (!agent.supervisor) return;  // plain agents use the replies; the server refuses edits
  document.getElementById("canned-admin").hidden = false;
  document.getElementById("canned-admin-title").setAttribute("tabindex", "-1");
  const language = document.getElementById("canned-language");
  language.replaceChildren(...agent.languages.map((l) => new Option(l, l)));
  document.getElementById("canned-cancel").addEventListener("click", () => editCanned(null));
  document.getElementById("canned-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = document.getElementById("canned-id").value;
    const body = {
      language: language.value,
      title: document.getElementById("canned-title").value,
      text: document.getElementById("canned-text").value,
    };
    try {
      await post(id ? `/api/canned/${id}` : "/api/canned", body);
      toolStatus(id ? "Canned reply saved." : "Canned reply added.");
      editCanned(null);
      loadCannedAdmin();
      if (current !== null) loadCanned(current).catch(() => {});
    } catch (error) { toolStatus(error.message); }
  });
  editCanned(null);
  loadCannedAdmin().catch((error) => toolStatus(error.message));
}

function setUpAgentTools(agent) {
  setUpStatus(agent);
  setUpTicketTools();
  setUpCannedAdmin(agent);
}

if (document.body.classList.contains("desk")) {
  document.addEventListener("desk:ticket", (event) => showTicketTools(event.detail));
  // desk.js may have met the agent before this file loaded
  if (me !== null) setUpAgentTools(me);
  else document.addEventListener("desk:me", (event) => setUpAgentTools(event.detail), { once: true });
}

// --- past conversations: closed tickets of the agent's languages, searched ----------

function setUpPastSearch() {
  const topics = document.getElementById("past-topic");
  for (const option of document.getElementById("filter-topic").options) {
    if (option.value) topics.append(new Option(option.textContent, option.value));
  }
  document.getElementById("past-search").addEventListener("submit", async (event) => {
    event.preventDefault();
    const params = new URLSearchParams({ status: "closed" });
    for (const [name, id] of [["ticket", "past-ticket"], ["account", "past-account"], ["day", "past-day"], ["topic", "past-topic"]]) {
      const value = document.getElementById(id).value.trim();
      if (value) params.set(name, value);
    }
    const news = document.getElementById("past-news");
    try {
      const { tickets } = await api("/api/tickets?" + params);
      document.getElementById("past-results").replaceChildren(...tickets.map((t) => {
        const button = el("button", `#${t.id} · ${t.language} · ${t.topic} · closed ` +
          `${new Date(t.closed_at + "Z").toLocaleDateString()}` + (t.assigned_name ? ` · by ${t.assigned_name}` : ""));
        button.type = "button";
        button.dataset.pastTicket = t.id;
        button.addEventListener("click", () => openTicket(t.id));
        const item = el("li");
        item.append(button);
        return item;
      }));
      news.textContent = tickets.length === 1 ? "1 closed conversation found" : `${tickets.length} closed conversations found`;
    } catch (error) { news.textContent = error.message; }
  });
}

if (document.body.classList.contains("desk")) setUpPastSearch();
