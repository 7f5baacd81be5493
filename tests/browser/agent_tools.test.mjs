// The desk's agent tools (#25) in Debian's chromium (playwright-core from web/node_modules),
// a browser context each for an Italian customer on the support site and, on the desk, a
// supervisor, the agent Nina and her colleague Paolo.
//
//   node tests/browser/agent_tools.test.mjs --site http://127.0.0.1:8000 --desk http://127.0.0.1:8001 \
//        --boss sofia:<pw> --agent nina:<pw> --colleague paolo:<pw> --agent-name "Nina Rossi" \
//        --colleague-name Paolo --marker <unique letters> [--out reports/browser]
//
// The supervisor writes a canned reply with {first_name} and {agent_name} (an unknown
// variable is refused with the reason); the customer chats and prints
// WAITING_FOR_TICKET {"session_id", "marker"} (the caller writes the ticket, knowing the
// customer's first name, Giulia); Nina claims it, inserts the canned reply (filled in,
// not sent), sends it: the customer reads "Ciao Giulia, sono Nina Rossi."; her internal
// note shows on the desk and never in the widget; she transfers the ticket to Paolo and
// the widget names him; then she goes away: a new ticket (NEED_TICKET {"marker"}, the
// caller writes it) reaches Paolo's queue and not hers, until she is available again.
// axe-core on the desk with every tool on screen. Exit status 0 when every check passed.

import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { REPLY_TIMEOUT_MS, check, poll, sleep } from "./driver_kit.mjs";
import { axeViolations, contrast } from "./accessibility.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const PLAYWRIGHT = path.join(ROOT, "web", "node_modules", "playwright-core", "index.mjs");
const SETTLE_MS = 3_000; // a message meant for the widget would have arrived by then

const { values: opts } = parseArgs({
  options: {
    site: { type: "string" },
    desk: { type: "string" },
    boss: { type: "string" },
    agent: { type: "string" },
    colleague: { type: "string" },
    "agent-name": { type: "string" },
    "colleague-name": { type: "string" },
    marker: { type: "string" },
    out: { type: "string", default: path.join(ROOT, "reports", "browser") },
    chromium: { type: "string", default: "/usr/bin/chromium" },
  },
});
for (const required of ["site", "desk", "boss", "agent", "colleague", "agent-name", "colleague-name", "marker"]) {
  if (!opts[required]) throw new Error(`--${required} is required`);
}

/** A desk page in a context of its own: each agent has their own session cookie. */
async function signIn(browser, who) {
  const [username, password] = who.split(/:(.*)/s);
  const context = await browser.newContext({ viewport: { width: 1280, height: 1100 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${opts.desk}/login`);
  await page.getByLabel(/name/i).fill(username);
  await page.getByLabel(/password/i).fill(password);
  await page.getByRole("button", { name: /sign in/i }).click();
  await page.waitForURL(`${opts.desk}/`);
  return page;
}

/** The id of the ticket whose summary quotes `wanted`, as the desk's API lists it. */
async function ticketQuoting(deskPage, wanted) {
  return poll(`the ticket quoting ${wanted}`, () =>
    deskPage.evaluate(async (text) => {
      const response = await fetch("/api/tickets", { credentials: "same-origin" });
      const { tickets } = await response.json();
      const ticket = tickets.find((t) => (t.summary || "").includes(text));
      return ticket ? ticket.id : null;
    }, wanted),
  );
}

async function main() {
  const { chromium } = await import(pathToFileURL(PLAYWRIGHT).href);
  mkdirSync(opts.out, { recursive: true });
  const problems = [];
  const browser = await chromium.launch({ executablePath: opts.chromium, headless: true });
  try {
    const watch = (page, name) => {
      page.on("pageerror", (error) => problems.push(`${name}: ${error.message}`));
      page.on("console", (message) => {
        // the refused canned reply is a 400 on purpose; the page shows its reason
        const refused = /Failed to load resource: .* status of 400/.test(message.text());
        if (message.type() === "error" && !refused) problems.push(`${name}: ${message.text()}`);
      });
    };
    // the supervisor writes the canned reply; an unknown variable is refused, clearly
    const boss = await signIn(browser, opts.boss);
    watch(boss, "supervisor");
    await boss.locator("#canned-admin").waitFor({ state: "visible" });
    const title = `Saluto ${opts.marker}`;
    await boss.locator("#canned-language").selectOption("it");
    await boss.locator("#canned-title").fill(title);
    await boss.locator("#canned-text").fill("Ciao {nome}!");
    await boss.locator("#canned-save").click();
    await poll("the refusal", async () => (await boss.locator("#canned-status").textContent()).includes("unknown variable {nome}"));
    check(true, `an unknown variable is refused: "${await boss.locator("#canned-status").textContent()}"`);
    await boss.locator("#canned-text").fill("Ciao {first_name}, sono {agent_name}. Come posso aiutarti?");
    await boss.locator("#canned-save").click();
    await poll("the saved reply in the list", async () => (await boss.locator("#canned-list").textContent()).includes(title));
    check(true, "the supervisor saved the canned reply");

    // the customer: the Italian page, a first message, an answer
    const customerContext = await browser.newContext({ locale: "it-IT", viewport: { width: 1280, height: 900 } });
    const customer = await customerContext.newPage();
    watch(customer, "customer");
    await customer.goto(`${opts.site}/?lang=it`);
    await customer.getByRole("button", { name: "Chatta con noi" }).click();
    const root = customer.locator("#rasa-support-widget");
    await root.locator("section.panel").waitFor({ state: "visible" });
    await root.locator("textarea").fill("ciao");
    await root.locator("textarea").press("Enter");
    await poll("the bot's answer", async () => (await root.locator('.msg[data-from="bot"]').count()) > 0);
    const session = await customer.evaluate(() => {
      for (let i = 0; i < localStorage.length; i += 1) {
        const key = localStorage.key(i);
        if (key.startsWith("rasa-widget:") && key.endsWith(":session")) return JSON.parse(localStorage.getItem(key));
      }
      return null;
    });
    console.log(`WAITING_FOR_TICKET ${JSON.stringify({ session_id: session, marker: opts.marker })}`);

    // Nina claims it and answers with the canned reply, filled in for this ticket
    const nina = await signIn(browser, opts.agent);
    watch(nina, "agent");
    const [ink, paper] = await nina.locator("#my-status").evaluate((node) => {
      const style = getComputedStyle(node);
      return [style.color, style.backgroundColor];
    });
    check(contrast(ink, paper) >= 4.5, `the status menu's text is ${contrast(ink, paper).toFixed(2)}:1 on its field`);
    const ticket = await ticketQuoting(nina, opts.marker);
    await nina.locator(`[data-ticket="${ticket}"]`).click();
    await nina.locator("#ticket").waitFor({ state: "visible" });
    await nina.locator("#claim").click();
    await poll("the claim", async () => (await nina.locator("#status").textContent()).startsWith("Claimed"));
    await poll("the canned reply in the menu", async () => (await nina.locator("#canned option").allTextContents()).includes(title));
    await nina.getByLabel("Canned reply").selectOption({ label: title });
    await nina.locator("#canned-insert").click();
    const expected = `Ciao Giulia, sono ${opts["agent-name"]}. Come posso aiutarti?`;
    check((await nina.locator("#message").inputValue()) === expected, `the message box holds "${await nina.locator("#message").inputValue()}"`);
    check(await nina.evaluate(() => document.activeElement?.id === "message"), "the focus is in the message box, to edit before sending");
    await sleep(SETTLE_MS);
    const agentBodies = root.locator('.msg[data-from="agent"] .body');
    check((await agentBodies.count()) === 0, "inserting sent nothing to the customer");
    await nina.locator("#message").press("Enter");
    await poll("the canned reply in the widget", async () => (await agentBodies.allTextContents()).includes(expected));
    check(true, `the customer reads "${expected}"`);

    // an internal note: on the desk, never in the widget
    const note = `Nota interna ${opts.marker}: cliente gentile, rimborso da verificare`;
    await nina.getByLabel("Internal note", { exact: true }).fill(note);
    await nina.getByRole("button", { name: "Add note" }).click();
    await poll("the note on the desk", async () => (await nina.locator("#notes").textContent()).includes(note));
    check((await nina.locator("#notes li").first().textContent()).startsWith(opts["agent-name"]), "the note names its author");
    await nina.locator("#message").fill(`Un attimo, controllo (${opts.marker})`);
    await nina.locator("#message").press("Enter");
    await poll("the next message in the widget", async () => (await agentBodies.count()) >= 2);
    await sleep(SETTLE_MS);
    check(!(await root.textContent()).includes("Nota interna"), "the note never reached the widget");
    await nina.screenshot({ path: path.join(opts.out, "desk-agent-tools.png"), fullPage: true });

    // transfer to Paolo: the widget names him
    const paolo = await signIn(browser, opts.colleague);
    watch(paolo, "colleague");
    await poll("Paolo among the transfer targets", async () =>
      (await nina.locator("#transfer-to option").allTextContents()).includes(opts["colleague-name"]), 30_000)
      .catch(async () => {
        await nina.locator(`[data-ticket="${ticket}"]`).click(); // targets load with the ticket
        await poll("Paolo after reopening", async () =>
          (await nina.locator("#transfer-to option").allTextContents()).includes(opts["colleague-name"]));
      });
    await nina.getByLabel("Transfer to").selectOption({ label: opts["colleague-name"] });
    await nina.locator("#transfer-button").click();
    await poll("the transfer on the desk", async () => (await nina.locator("#queue-news").textContent()).includes("transferred"), 20_000)
      .catch(async (error) => {
        throw new Error(`${error.message} (status line: "${await nina.locator("#status").textContent()}", queue: "${await nina.locator("#queue-news").textContent()}")`);
      });
    check(await nina.locator("#send-button").isDisabled(), "Nina can no longer write on the ticket she handed over");
    const banner = root.locator(".banner").last();
    await poll("the widget's banner naming Paolo", async () => (await banner.textContent()).includes(opts["colleague-name"]));
    check(true, `the customer reads "${await banner.textContent()}"`);
    check(!(await root.textContent()).includes("Nota interna"), "the note is still nowhere in the widget");
    await customer.screenshot({ path: path.join(opts.out, "widget-after-transfer.png") });

    // Nina goes away: a new ticket reaches Paolo, not her
    await nina.getByLabel("My status").selectOption("away");
    await poll("the away notice", async () => (await nina.locator("#queue-news").textContent()).includes("away"));
    const next = `${opts.marker}bis`;
    console.log(`NEED_TICKET ${JSON.stringify({ marker: next })}`);
    const second = await ticketQuoting(paolo, next);
    await paolo.locator(`[data-ticket="${second}"]`).waitFor({ timeout: 30_000 });
    check(true, "the new ticket is in Paolo's queue");
    await sleep(7_000); // two of Nina's queue refreshes
    check((await nina.locator(`[data-ticket="${second}"]`).count()) === 0, "the away agent is not offered the new ticket");
    await nina.getByLabel("My status").selectOption("available");
    await nina.locator(`[data-ticket="${second}"]`).waitFor({ timeout: 30_000 });
    check(true, "available again, Nina is offered it");

    // axe-core on the desk with every tool on screen (the supervisor's editor too)
    await boss.locator(`[data-ticket="${ticket}"]`).click();
    await boss.locator("#ticket").waitFor({ state: "visible" });
    for (const [name, page] of [["agent", nina], ["supervisor", boss]]) {
      const violations = await axeViolations(page, "body");
      check(violations.length === 0, `axe-core finds nothing on the ${name}'s desk (${violations.join("; ")})`);
    }
    await boss.screenshot({ path: path.join(opts.out, "desk-canned-replies.png"), fullPage: true });
  } finally {
    await browser.close();
  }
  if (problems.length) throw new Error(`page errors:\n  ${problems.join("\n  ")}`);
  console.log("all agent tool checks passed");
}

main().catch((error) => {
  console.error(`FAILED ${error.stack || error}`);
  process.exit(1);
});
