// The agent desk in Debian's chromium (playwright-core from web/node_modules), used by
// keyboard as an agent would (#25's desk bugs): the queue refreshes every 3 s without
// taking the focus and announces only what is new; Send and Hand back stay off until
// the claim; the agent's display name is shown; a message keeps its line breaks; the
// note and status of one ticket do not follow to the next; focus rings and field
// borders reach 3:1; axe-core finds nothing serious.
//
//   node tests/browser/desk.test.mjs --desk http://127.0.0.1:8001 --agent claire:<password> \
//        --name "Claire Dubois" --ticket 12 --lines "hello|I have two questions" [--out reports/browser]
//
// Prints NEED_TICKET when it needs a new ticket in the queue (the caller opens one and
// answers nothing: the driver waits for its row). Exit status 0 when every check passed.

import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { axeViolations, contrast, edges } from "./accessibility.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const PLAYWRIGHT = path.join(ROOT, "web", "node_modules", "playwright-core", "index.mjs");

const { values: opts } = parseArgs({
  options: {
    desk: { type: "string" },
    agent: { type: "string" },
    name: { type: "string" },
    ticket: { type: "string" },
    lines: { type: "string" },
    out: { type: "string", default: path.join(ROOT, "reports", "browser") },
    chromium: { type: "string", default: "/usr/bin/chromium" },
  },
});

const failures = [];

/** A failed check is recorded and the run goes on, so one run shows every broken thing. */
function check(condition, message) {
  if (!condition) {
    failures.push(message);
    console.log(`  FAIL ${message}`);
    return;
  }
  console.log(`  ok ${message}`);
}

/** One part of the run; an error in it (an element that never came) fails that part only. */
async function section(name, steps) {
  console.log(name);
  try {
    await steps();
  } catch (error) {
    failures.push(`${name}: ${error.message.split("\n")[0]}`);
    console.log(`  FAIL ${name}: ${error.message.split("\n")[0]}`);
  }
}

async function poll(what, test, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await test()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function checkRing(page) {
  const edge = await edges(page.locator(":focus"));
  const { ring } = edge;
  check(ring.style !== "none" && ring.width >= 2, `${edge.name} shows a focus ring (${ring.width}px ${ring.style})`);
  const ratio = contrast(ring.color, edge.behind);
  check(ratio >= 3, `${edge.name}'s focus ring is ${ratio.toFixed(2)}:1 against ${edge.behind}`);
}

/** A text field's border against the background around it. */
async function checkBorder(page, selector) {
  const edge = await edges(page.locator(selector));
  const ratio = contrast(edge.border.color, edge.behind);
  check(edge.border.width >= 1 && ratio >= 3, `${selector}'s border is ${ratio.toFixed(2)}:1 against ${edge.behind}`);
}

/** Tab until the ticket's row has the keyboard focus (a real keyboard path, so the
 * browser shows the ring as for a keyboard user). */
async function tabTo(page, selector, presses = 40) {
  for (let i = 0; i < presses; i += 1) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

const { chromium } = await import(pathToFileURL(PLAYWRIGHT).href);
const browser = await chromium.launch({ executablePath: opts.chromium, headless: true });
const problems = [];
try {
  mkdirSync(opts.out, { recursive: true });
  const [username, password] = opts.agent.split(/:(.*)/s);
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  await page.goto(`${opts.desk}/login`);
  await page.getByLabel(/name/i).fill(username);
  await page.getByLabel(/password/i).fill(password);
  await page.getByRole("button", { name: /sign in/i }).click();
  await page.waitForURL(`${opts.desk}/`);
  const row = `#tickets button[data-ticket="${opts.ticket}"]`;
  await page.waitForSelector(row);
  const news = page.locator("#queue-news");

  await section("contrast in the queue", async () => {
    await checkBorder(page, "#filter-language");
    await tabTo(page, "#filter-topic");
    await checkRing(page);
    await tabTo(page, row);
    await checkRing(page);
  });

  await section("the queue refreshes without taking the focus", async () => {
    await page.locator(row).focus();
    const rowsBefore = await page.locator("#tickets li").count();
    await page.evaluate(() => { document.activeElement.dataset.focusedByTest = "1"; });
    console.log("NEED_TICKET");
    await poll("the new ticket's row", async () => (await page.locator("#tickets li").count()) > rowsBefore, 60_000);
    await page.waitForTimeout(3_500); // one more refresh after the one that added it
    const focus = await page.evaluate(() => ({
      kept: document.activeElement?.dataset.focusedByTest === "1",
      on: document.activeElement?.outerHTML.slice(0, 80),
    }));
    check(focus.kept, `the focus stayed on the row across refreshes (now on ${focus.on})`);
    check((await page.locator("#tickets").getAttribute("aria-live")) === null, "the whole queue is no live region");
    check((await news.getAttribute("role")) === "status", "the queue has a status line");
    check((await news.textContent()) === "1 new conversation", `the status line says "${await news.textContent()}"`);
  });

  await section("before the claim", async () => {
    await page.locator(row).focus();
    await page.keyboard.press("Enter");
    await page.locator("#ticket").waitFor({ state: "visible" });
    const send = page.locator("#send button[type=submit]");
    const handback = page.locator("#handback button[type=submit]");
    check(await send.isDisabled(), "Send is off before the claim");
    check(await handback.isDisabled(), "Hand back is off before the claim");
    await page.locator("#message").fill("written too early");
    await page.locator("#message").press("Enter");
    await page.waitForTimeout(1_500);
    check((await page.locator("#status").textContent()) === "", `Enter in the message box is not even tried (${await page.locator("#status").textContent()})`);
    check(await page.locator("#claim-first").isVisible(), "the desk says to claim first");
  });

  await section("line breaks", async () => {
    const [first, second] = opts.lines.split("|");
    const line = page.locator("#transcript li", { hasText: second });
    await line.first().waitFor();
    const text = await line.first().evaluate((node) => node.innerText);
    check(text.includes(`${first}\n${second}`), `the transcript keeps the customer's line break (${JSON.stringify(text)})`);
  });

  await section("claim", async () => {
    await page.locator("#claim").click();
    const send = page.locator("#send button[type=submit]");
    await poll("the claim to show", async () => (await page.locator("#status").textContent()).startsWith("Claimed"));
    await page.waitForTimeout(500);
    check(await send.isEnabled(), "Send is on after the claim");
    check(await page.locator("#handback button[type=submit]").isEnabled(), "Hand back is on after the claim");
    await page.waitForTimeout(3_500); // the queue's next refresh
    const label = await page.locator(row).textContent();
    check(label.endsWith(`with ${opts.name}`), `the queue row reads "${label}"`);
    const title = await page.locator("#ticket-title").textContent();
    check(title.endsWith(`with ${opts.name}`), `the ticket's title reads "${title}"`);
    await checkBorder(page, "#message");
    await checkBorder(page, "#note");
    await page.locator("#message").focus();
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    await checkRing(page);
  });

  await section("the next ticket starts clean", async () => {
    await page.locator("#note").fill("refund sent for the March invoice");
    const other = page.locator(`#tickets button:not([data-ticket="${opts.ticket}"])`).last();
    await other.click();
    await poll("the other ticket", async () =>
      !(await page.locator("#ticket-title").textContent()).startsWith(`Ticket #${opts.ticket} `));
    await page.waitForTimeout(500);
    check((await page.locator("#note").inputValue()) === "", "the resolution note did not follow");
    check((await page.locator("#status").textContent()) === "", `the status line did not follow ("${await page.locator("#status").textContent()}")`);
    check(await page.locator("#send button[type=submit]").isDisabled(), "Send is off on a ticket not claimed");
  });

  await section("hand back", async () => {
    await page.locator(row).click();
    await poll("the claimed ticket", () => page.locator("#handback button[type=submit]").isEnabled());
    await page.locator("#note").fill("answered");
    await page.locator("#note").press("Enter");
    await page.locator("#ticket").waitFor({ state: "hidden" });
    check(/handed back/.test(await news.textContent()), `the queue's status line says "${await news.textContent()}"`);
    check(await page.evaluate(() => document.activeElement?.id === "queue-title"), "the focus went to the queue");
  });

  await section("axe-core", async () => {
    const violations = await axeViolations(page, "body");
    check(violations.length === 0, `axe-core finds nothing on the desk (${violations.join("; ")})`);
    const file = path.join(opts.out, "desk-queue.png");
    await page.screenshot({ path: file, fullPage: true });
    console.log(`  screenshot ${path.relative(ROOT, file)}`);
  });
  check(problems.length === 0, `no page error or console error (${problems.join("; ")})`);
} catch (error) {
  failures.push(error.message);
  console.log(`FAILED: ${error.message}`);
} finally {
  await browser.close();
}
console.log(failures.length ? `${failures.length} FAILED:\n${failures.join("\n")}` : "all passed");
process.exit(failures.length ? 1 : 0);
