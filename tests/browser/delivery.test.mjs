// The lost-message path in Debian's chromium (playwright-core from web/node_modules),
// two browser contexts: a customer on the support site and an agent on the desk.
//
//   node tests/browser/delivery.test.mjs --site http://127.0.0.1:8000 \
//        --desks http://127.0.0.1:8001[,http://127.0.0.1:8002] --agent marie:<password> \
//        --marker <unique text> [--out reports/browser]
//
// The customer chats, prints WAITING_FOR_TICKET {"session_id": ..., "marker": ...}
// (the caller writes the ticket the handoff form would, its summary quoting the
// marker), the agent claims it on the first desk; the customer goes to another page;
// the agent writes from each desk in turn (several desks: each calls its own Rasa
// server); the customer comes back and must see every message exactly once, in order,
// and again after a reload; one more message then arrives live, once.
// Exit status 0 when every check passed (page errors fail it).

import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { REPLY_TIMEOUT_MS, check, poll, signIn, sleep, ticketWithMarker } from "./driver_kit.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const PLAYWRIGHT = path.join(ROOT, "web", "node_modules", "playwright-core", "index.mjs");
const SETTLE_MS = 3_000; // a duplicate would have arrived by then

const { values: opts } = parseArgs({
  options: {
    site: { type: "string" },
    desks: { type: "string" },
    agent: { type: "string" },
    marker: { type: "string" },
    out: { type: "string", default: path.join(ROOT, "reports", "browser") },
    chromium: { type: "string", default: "/usr/bin/chromium" },
  },
});
for (const required of ["site", "desks", "agent", "marker"]) {
  if (!opts[required]) throw new Error(`--${required} is required`);
}

function widget(page) {
  const root = page.locator("#rasa-support-widget");
  return {
    panel: root.locator("section.panel"),
    input: root.locator("textarea"),
    bot: root.locator('.msg[data-from="bot"]'),
    agentBodies: root.locator('.msg[data-from="agent"] .body'),
    banners: root.locator(".banner"),
  };
}

/** The widget's stored value whose key ends with `suffix` (null when none). */
async function stored(page, suffix) {
  return page.evaluate((end) => {
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key.startsWith("rasa-widget:") && key.endsWith(end)) {
        return JSON.parse(localStorage.getItem(key));
      }
    }
    return null;
  }, suffix);
}

/** How many agent bubbles show each of `texts`, and whether they come in that order. */
async function agentLines(page, texts) {
  const shown = await widget(page).agentBodies.allTextContents();
  const counts = texts.map((text) => shown.filter((line) => line === text).length);
  const positions = texts.map((text) => shown.indexOf(text));
  const ordered = positions.every((at, i) => i === 0 || at > positions[i - 1]);
  return { counts, ordered, shown };
}

async function exactlyOnceInOrder(page, texts, when) {
  await poll(`every agent message in the widget ${when}`, async () => {
    const { counts } = await agentLines(page, texts);
    return counts.every((count) => count >= 1);
  });
  await sleep(SETTLE_MS);
  const { counts, ordered, shown } = await agentLines(page, texts);
  check(counts.every((count) => count === 1), `each agent message shown once ${when} (${counts}; ${JSON.stringify(shown)})`);
  check(ordered, `the agent messages in the order sent ${when}`);
}

/** The id of the open ticket whose summary quotes the marker, as the desk's API lists it. */

async function openTicket(deskPage, id) {
  const entry = deskPage.locator(`[data-ticket="${id}"]`);
  await entry.waitFor({ timeout: 30_000 }); // the queue refreshes every few seconds
  await entry.click();
  await deskPage.locator("#ticket").waitFor({ state: "visible" });
}

/** Write from the desk; sent once the desk's live view shows it (read back from Rasa). */
async function agentWrites(deskPage, text) {
  await deskPage.locator("#message").fill(text);
  await deskPage.locator("#message").press("Enter");
  await poll(`"${text}" in the desk's live view`, async () =>
    (await deskPage.locator("#live").textContent()).includes(text),
  );
}

async function main() {
  const { chromium } = await import(pathToFileURL(PLAYWRIGHT).href);
  mkdirSync(opts.out, { recursive: true });
  const site = opts.site.replace(/\/+$/, "");
  const desks = opts.desks.split(",").map((url) => url.trim().replace(/\/+$/, ""));
  const problems = [];
  const browser = await chromium.launch({ executablePath: opts.chromium, headless: true });
  try {
    const watch = (page, name) =>
      page.on("pageerror", (error) => problems.push(`${name}: ${error.message}`));

    // the customer: the Italian page, a first message, an answer
    const customerContext = await browser.newContext({ locale: "it-IT", viewport: { width: 1280, height: 900 } });
    const customer = await customerContext.newPage();
    watch(customer, "customer");
    await customer.goto(`${site}/?lang=it`);
    await customer.getByRole("button", { name: "Chatta con noi" }).click();
    const w = widget(customer);
    await w.panel.waitFor({ state: "visible" });
    await w.input.fill("ciao");
    await w.input.press("Enter");
    await poll("the bot's answer", async () => (await w.bot.count()) > 0);
    const session = await stored(customer, ":session");
    check(typeof session === "string" && session.startsWith("socketio:"), "the customer has a conversation");
    console.log(`WAITING_FOR_TICKET ${JSON.stringify({ session_id: session, marker: opts.marker })}`);

    // the agent: signed in on every desk, claims the ticket on the first
    const agentContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const deskPages = [];
    for (const [index, desk] of desks.entries()) {
      const page = await signIn(agentContext, desk, opts.agent);
      watch(page, `desk ${index + 1}`);
      deskPages.push(page);
    }
    const ticket = await ticketWithMarker(deskPages[0], opts.marker);
    const banners = await w.banners.count();
    await openTicket(deskPages[0], ticket);
    await deskPages[0].locator("#claim").click();
    await poll("the 'agent joined' banner in the widget", async () => (await w.banners.count()) > banners);
    check(true, "the customer saw the agent join, live");

    // the customer goes to another page; the agent writes from each desk meanwhile
    await customer.goto("about:blank");
    const away = [];
    for (const [index, page] of deskPages.entries()) {
      if (index > 0) await openTicket(page, ticket);
      const text = `Messaggio ${index + 1} dal desk mentre eri via (${opts.marker})`;
      await agentWrites(page, text);
      away.push(text);
    }
    check(true, `the desk shows ${away.length} message(s) sent while the customer was away`);

    // back on the site: every message once, in order; and after a reload
    await customer.goto(`${site}/?lang=it`);
    await w.panel.waitFor({ state: "visible" }); // it was open: it opens again
    await exactlyOnceInOrder(customer, away, "after coming back");
    await customer.screenshot({ path: path.join(opts.out, "delivery-after-return.png") });
    await customer.reload();
    await w.panel.waitFor({ state: "visible" });
    await exactlyOnceInOrder(customer, away, "after a reload");

    // and live again: the next message arrives once
    const live = `Ancora qui? (${opts.marker})`;
    await agentWrites(deskPages[deskPages.length - 1], live);
    await exactlyOnceInOrder(customer, [...away, live], "with one more sent live");
  } finally {
    await browser.close();
  }
  if (problems.length) throw new Error(`page errors:\n  ${problems.join("\n  ")}`);
  console.log("all delivery checks passed");
}

main().catch((error) => {
  console.error(`FAILED ${error.stack || error}`);
  process.exit(1);
});
