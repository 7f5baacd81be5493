// Screenshots from the customer, in Debian's chromium (playwright-core), two browser
// contexts: a customer on the support site and an agent on the desk.
//
//   node tests/browser/screenshots.test.mjs --site http://127.0.0.1:8000 \
//        --desk http://127.0.0.1:8001 --agent marie:<password> --marker <unique text> \
//        --png shot.png --not-image notes.png --oversize huge.png [--out reports/browser]
//
// The customer chats and prints WAITING_FOR_TICKET {"session_id", "marker"} (the caller
// writes the ticket); no paperclip until the agent claims it; then, keyboard only, the
// customer picks the PNG: the widget says it was sent and the agent sees the image on
// the desk. A file that is no image and one over 5 MB are refused with a message in the
// widget, and the desk still shows one screenshot. axe-core on both pages.
// Exit status 0 when every check passed (page errors fail it).

import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { REPLY_TIMEOUT_MS, check, poll, signIn, sleep, ticketWithMarker } from "./driver_kit.mjs";
import { axeViolations } from "./accessibility.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const PLAYWRIGHT = path.join(ROOT, "web", "node_modules", "playwright-core", "index.mjs");

const { values: opts } = parseArgs({
  options: {
    site: { type: "string" },
    desk: { type: "string" },
    agent: { type: "string" },
    marker: { type: "string" },
    png: { type: "string" },
    "not-image": { type: "string" },
    oversize: { type: "string" },
    out: { type: "string", default: path.join(ROOT, "reports", "browser") },
    chromium: { type: "string", default: "/usr/bin/chromium" },
  },
});
for (const required of ["site", "desk", "agent", "marker", "png", "not-image", "oversize"]) {
  if (!opts[required]) throw new Error(`--${required} is required`);
}

function widget(page) {
  const root = page.locator("#rasa-support-widget");
  return {
    panel: root.locator("section.panel"),
    input: root.locator("textarea"),
    bot: root.locator('.msg[data-from="bot"]'),
    user: root.locator('.msg[data-from="user"] .body'),
    banners: root.locator(".banner"),
    attach: root.getByRole("button", { name: "Invia uno screenshot" }),
    hint: root.locator("#rw-hint"),
  };
}

/** The class of the element focused inside the widget's shadow root. */
function focusedInWidget(page) {
  return page.evaluate(
    () => document.querySelector("#rasa-support-widget").shadowRoot.activeElement?.className || "",
  );
}

/** Pick `file` in the file chooser that `open` makes the page show. */
async function pick(page, open, file) {
  const chooser = page.waitForEvent("filechooser");
  await open();
  await (await chooser).setFiles(file);
}

async function main() {
  const { chromium } = await import(pathToFileURL(PLAYWRIGHT).href);
  mkdirSync(opts.out, { recursive: true });
  const site = opts.site.replace(/\/+$/, "");
  const desk = opts.desk.replace(/\/+$/, "");
  const problems = [];
  const browser = await chromium.launch({ executablePath: opts.chromium, headless: true });
  try {
    const watch = (page, name) =>
      page.on("pageerror", (error) => problems.push(`${name}: ${error.message}`));

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
    check(!(await w.attach.isVisible()), "no paperclip while the customer talks to the bot");
    const session = await customer.evaluate(() => {
      for (let i = 0; i < localStorage.length; i += 1) {
        const key = localStorage.key(i);
        if (key.startsWith("rasa-widget:") && key.endsWith(":session")) return JSON.parse(localStorage.getItem(key));
      }
      return null;
    });
    console.log(`WAITING_FOR_TICKET ${JSON.stringify({ session_id: session, marker: opts.marker })}`);

    const agentContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const deskPage = await signIn(agentContext, desk, opts.agent);
    watch(deskPage, "desk");
    const ticket = await ticketWithMarker(deskPage, opts.marker);
    const entry = deskPage.locator(`[data-ticket="${ticket}"]`);
    await entry.waitFor({ timeout: 30_000 });
    await entry.click();
    await deskPage.locator("#ticket").waitFor({ state: "visible" });
    await deskPage.locator("#claim").click();
    await poll("the paperclip once a person joined", () => w.attach.isVisible());
    check(true, "the paperclip shows once the agent has joined");

    // keyboard only: from the message box, Shift+Tab reaches the paperclip; Enter opens the picker
    await w.input.focus();
    await customer.keyboard.press("Shift+Tab");
    check((await focusedInWidget(customer)).includes("attach"), "Shift+Tab from the message box reaches the paperclip");
    await pick(customer, () => customer.keyboard.press("Enter"), opts.png);
    await poll("'Screenshot inviato' in the widget", async () =>
      (await w.user.allTextContents()).includes("Screenshot inviato"));
    check(true, "the widget says the screenshot was sent");
    check((await focusedInWidget(customer)).includes("attach"), "the focus is back on the paperclip");

    const image = deskPage.locator("#live li.screenshot img");
    await poll("the screenshot on the desk", async () =>
      (await image.count()) === 1 &&
      (await image.evaluate((img) => img.complete && img.naturalWidth)) === 400);
    check(true, "the agent sees the customer's 400 × 300 screenshot on the desk");
    const alt = await image.getAttribute("alt");
    check(/Screenshot from the customer, 400 × 300/.test(alt), `the image has a text alternative ("${alt}")`);

    // refusals, each with its message in the widget
    const refusals = [
      [opts["not-image"], "Si possono inviare solo immagini PNG o JPEG."],
      [opts.oversize, "Questa immagine è troppo grande: inviane una di 5 MB al massimo."],
    ];
    for (const [file, message] of refusals) {
      await pick(customer, () => w.attach.click(), file);
      await poll(`"${message}" in the widget`, async () => (await w.hint.textContent()) === message);
      check(true, `refused with "${message}"`);
      check((await w.hint.getAttribute("aria-live")) === "polite", "read out by screen readers");
    }
    await customer.screenshot({ path: path.join(opts.out, "screenshot-widget-refused.png") });
    await sleep(3_000); // a refused file would have reached the desk by now
    check((await image.count()) === 1, "the desk still shows one screenshot");
    check((await w.user.allTextContents()).filter((t) => t === "Screenshot inviato").length === 1,
      "the widget shows one sent screenshot");
    await deskPage.screenshot({ path: path.join(opts.out, "screenshot-desk.png"), fullPage: true });

    const widgetViolations = await axeViolations(customer);
    check(widgetViolations.length === 0, `axe-core finds nothing in the widget (${widgetViolations.join("; ")})`);
    const deskViolations = await axeViolations(deskPage, "body");
    check(deskViolations.length === 0, `axe-core finds nothing on the desk (${deskViolations.join("; ")})`);
  } finally {
    await browser.close();
  }
  if (problems.length) throw new Error(`page errors:\n  ${problems.join("\n  ")}`);
  console.log("all screenshot checks passed");
}

main().catch((error) => {
  console.error(`FAILED ${error.stack || error}`);
  process.exit(1);
});
