// Opens the desk's Insights page in Debian's chromium (playwright-core from
// web/node_modules): signs in as a supervisor, follows the desk's Insights link, waits
// for the charts, checks the figures' tiles (each rate with what it is of, in-progress
// apart, the average rating), the trend per day and its table, the per-agent table
// (--agent-name: that agent handled a ticket), the review list's pages and "no label
// needed", the CSV link, axe-core on the new sections, and keeps a screenshot; then
// signs in as a plain agent: no Insights link, and the page is refused. With --help-row and --help-search, the
// Help centre section too: that article's row, that search's group, no sideways
// scroll at desktop or phone width, and axe-core on the section.
//
//   node tests/browser/insights.test.mjs --desk http://127.0.0.1:8001 \
//        --supervisor sofia:<password> --agent marie:<password> [--out reports/browser] \
//        [--help-row '["article-id", "topic", "2", "1", "1", "50% of 2 answers"]'] \
//        [--help-search '{"text": "part of a search", "count": "2×"}'] [--long-text <message>]
//        [--agent-name Marie]
//
// Exit status 0 when every check passed (CSP violations and page errors fail it).

import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { check } from "./driver_kit.mjs";
import { axeViolations } from "./accessibility.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const PLAYWRIGHT = path.join(ROOT, "web", "node_modules", "playwright-core", "index.mjs");
const CHARTS = ["by-language", "by-channel", "topics", "intents"];

const { values: opts } = parseArgs({
  options: {
    desk: { type: "string" },
    supervisor: { type: "string" },
    agent: { type: "string" },
    out: { type: "string", default: path.join(ROOT, "reports", "browser") },
    chromium: { type: "string", default: "/usr/bin/chromium" },
    "help-row": { type: "string", default: "" },
    "help-search": { type: "string", default: "" },
    "long-text": { type: "string", default: "" },
    "agent-name": { type: "string", default: "" },
  },
});

async function signIn(browser, who, problems) {
  const [username, password] = who.split(/:(.*)/s);
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) {
      problems.push(message.text());
    }
  });
  await page.goto(`${opts.desk}/login`);
  await page.getByLabel(/name/i).fill(username);
  await page.getByLabel(/password/i).fill(password);
  await page.getByRole("button", { name: /sign in/i }).click();
  await page.waitForURL(`${opts.desk}/`);
  return page;
}

/** At desktop and phone width, the page scrolls only down: nothing makes it wider than
 * the window (the widest element is named when something does). Ends at 390 px. */
async function notWiderThanTheWindow(page) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 1000 });
    // Chart.js redraws its canvases at the new width a moment after the resize
    await page.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth, null, { timeout: 5_000 }).catch(() => {});
    const { wider, culprit } = await page.evaluate(() => {
      // the innermost element reaching furthest right: what to fix when the page is too wide
      let culprit = "";
      let right = window.innerWidth;
      const clipped = (node) => {
        for (let up = node.parentElement; up && up !== document.body; up = up.parentElement) {
          if (getComputedStyle(up).overflowX !== "visible") return true;
        }
        return false;
      };
      for (const node of document.body.querySelectorAll("*")) {
        if (clipped(node)) continue; // scrolls inside its own box: not the page's width
        const edge = node.getBoundingClientRect().right;
        if (edge > right + 0.5) {
          right = edge;
          culprit = `${node.tagName.toLowerCase()}${node.id ? "#" + node.id : ""}.${node.className}`;
        }
      }
      const wider = document.documentElement.scrollWidth - window.innerWidth;
      return { wider, culprit: wider > 0 ? culprit : "" }; // a table scrolling in its box is fine
    });
    check(wider <= 0, `at ${width}px the page is not wider than the window (by ${wider}px${culprit ? ", " + culprit : ""})`);
  }
}

/** The Help centre section: the expected article row and search group, wrapping, axe. */
async function helpCentre(page) {
  const expected = JSON.parse(opts["help-row"]);
  const answered = await page.locator("#help-answered").textContent();
  check(/^\d+ of \d+ \(\d+(\.\d)?%\)$/.test(answered), `answered from an article reads ${answered}`);
  const row = page.locator("#help-articles tr").filter({
    has: page.locator("th", { hasText: new RegExp(`^${expected[0]}$`) }),
  });
  const cells = await row.locator("th, td").allTextContents();
  check(JSON.stringify(cells) === JSON.stringify(expected), `the article's row reads ${JSON.stringify(cells)}`);
  const search = JSON.parse(opts["help-search"]);
  const group = page.locator("#help-searches li").filter({ hasText: search.text });
  check((await group.count()) === 1, `one group of searches holds "${search.text.slice(0, 40)}"`);
  check((await group.locator("strong").textContent()) === search.count, "the group's count");
  const listed = await page.locator("#help-searches").textContent();
  check(!listed.includes("@"), "no email address in the searches shown");
  await notWiderThanTheWindow(page);
  const file = path.join(opts.out, "insights-help-centre-phone.png");
  await page.locator(".help-centre").screenshot({ path: file });
  console.log(`  screenshot ${path.relative(ROOT, file)}`);
  await page.setViewportSize({ width: 1280, height: 1000 });
  const violations = await axeViolations(page, ".help-centre");
  check(violations.length === 0, `axe-core finds nothing in the Help centre section (${violations.join("; ")})`);
}

/** Each rate says what it is a share of; in-progress conversations are counted apart. */
async function tiles(page) {
  const text = async (id) => (await page.locator(`#${id}`).textContent()).trim();
  const conversations = Number(await text("conversations"));
  const split = (await text("conversations-of")).match(/^(\d+) finished, (\d+) in progress$/);
  check(split && Number(split[1]) + Number(split[2]) === conversations,
    `the conversations tile reads ${conversations}: ${await text("conversations-of")}`);
  check(Number(await text("in-progress")) === Number(split[2]), "in progress shown apart");
  for (const id of ["resolution", "handoff"]) {
    const of = await text(`${id}-of`);
    const expected = Number(split[1]) ? `of ${split[1]} finished conversation${split[1] === "1" ? "" : "s"}` : "no finished conversations yet";
    check(of === expected, `#${id} is a share ${of}`);
  }
  check(/^of \d+ customer messages?$/.test(await text("fallback-of")), `not understood: ${await text("fallback-of")}`);
  check(/^(of \d+ answers?|no answers yet)$/.test(await text("satisfaction-of")), `said it helped: ${await text("satisfaction-of")}`);
  const rating = await text("rating");
  check(/^([1-5]\.\d \/ 5|–)$/.test(rating), `the average rating reads ${rating} ${await text("rating-of")}`);
  return conversations;
}

/** Conversations per day: an SVG with a text alternative, and a table summing up to the tile. */
async function trend(page, conversations) {
  const chart = page.locator("#trend-chart svg[role='img']");
  check((await chart.count()) === 1 && (await chart.locator("rect").count()) > 0, "the trend's bars are drawn");
  const box = await chart.boundingBox();
  check(box && box.width >= 150 && box.height > 100, `the trend chart has room (${box?.width} px)`);
  const summary = await page.locator("#trend-summary").textContent();
  check(/^\d+ conversations? from \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d, most on /.test(summary), `the trend is said in words: ${summary}`);
  await page.locator(".trend summary").click(); // keyboard users: Enter on the summary
  const days = await page.locator("#trend-table tr").evaluateAll((rows) =>
    rows.map((row) => [...row.cells].map((cell) => cell.textContent)));
  const total = days.reduce((sum, cells) => sum + Number(cells[1]), 0);
  check(total === conversations, `the table's days add up to the tile (${total} in ${days.length} days)`);
  check(days.every((cells) => Number(cells[1]) === cells.slice(2).reduce((s, c) => s + Number(c), 0)),
    "each day's outcomes add up to its conversations");
}

/** The per-agent table: that agent's row, handled and timed. */
async function agents(page, name) {
  const row = page.locator("#agents tr").filter({ has: page.locator("th", { hasText: new RegExp(`^${name}$`) }) });
  check((await row.count()) === 1, `${name} has a row in the per-agent table`);
  const cells = await row.locator("th, td").allTextContents();
  check(Number(cells[1]) >= 1, `${name} handled ${cells[1]}`);
  check(/^\d+ (s|min)$/.test(cells[3]) && /^\d+ (s|min)$/.test(cells[4]),
    `${name}'s median first response ${cells[3]} and handle time ${cells[4]}`);
}

/** The review list: pages, and a group taken off with "No label needed". */
async function reviewPages(page) {
  const pageText = page.locator("#review-page");
  const first = await pageText.textContent();
  const match = first.match(/^Page 1 of (\d+) \((\d+) groups\)$/);
  check(match && Number(match[1]) >= 2, `the review list is paged: ${first}`);
  check(await page.locator("#review-previous").isDisabled(), "no previous page on the first");
  const before = await page.locator("#review li").count();
  check(before === 20, `a page holds 20 groups (${before})`);
  await page.locator("#review-next").focus(); // by keyboard
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /^Page 2 of/.test(document.getElementById("review-page").textContent));
  check(await page.evaluate(() => document.activeElement.id === "review-title"), "focus goes to the list's heading");
  await page.locator("#review-previous").click();
  await page.waitForFunction(() => /^Page 1 of/.test(document.getElementById("review-page").textContent));
  const group = page.locator("#review li").first();
  const example = (await group.locator(".examples span").first().textContent());
  await group.getByRole("button", { name: "No label needed" }).click();
  await page.waitForFunction(() => /taken off the list/.test(document.getElementById("review-status").textContent));
  const total = Number(match[2]);
  await page.waitForFunction((was) => {
    const now = document.getElementById("review-page").textContent.match(/\((\d+) groups?\)/);
    return now && Number(now[1]) === was - 1;
  }, total); // the list is drawn again after the status line
  check(true, `one group fewer in the list (${total - 1})`);
  check((await page.locator("#review li", { hasText: example }).count()) === 0, `ignored ${example} left the list`);
}

const { chromium } = await import(pathToFileURL(PLAYWRIGHT).href);
const browser = await chromium.launch({ executablePath: opts.chromium, headless: true });
const problems = [];
let failed = false;
try {
  mkdirSync(opts.out, { recursive: true });
  console.log("supervisor");
  const page = await signIn(browser, opts.supervisor, problems);
  const link = page.getByRole("link", { name: "Insights" });
  await link.waitFor({ state: "visible" });
  check(true, "a supervisor's desk links to Insights");
  await link.click();
  await page.waitForURL(`${opts.desk}/insights`);
  await page.waitForSelector("body[data-loaded='true']", { timeout: 60_000 });
  for (const id of CHARTS) {
    const box = await page.locator(`#${id}`).boundingBox();
    check(box && box.width > 100 && box.height > 100, `chart ${id} is drawn`);
  }
  const conversations = await tiles(page);
  check(conversations > 0, `the conversations tile counts ${conversations}`);
  await trend(page, conversations);
  if (opts["agent-name"]) await agents(page, opts["agent-name"]);
  // a percentage, or a dash while no conversation has settled yet
  const resolution = await page.locator("#resolution").textContent();
  check(/^(\d+(\.\d)?%|–)$/.test(resolution), `the resolution rate reads ${resolution}`);
  await page.selectOption("#language", "it");
  await page.getByRole("button", { name: "Show" }).click();
  await page.waitForFunction(() => document.getElementById("csv").href.includes("language=it"));
  check(true, "the CSV link carries the filters");
  await page.selectOption("#language", "");
  await page.getByRole("button", { name: "Show" }).click();
  await page.waitForFunction(() => !document.getElementById("csv").href.includes("language="));
  if (opts["help-row"]) await helpCentre(page);
  if (opts["long-text"]) {
    // a long unbroken message among the misunderstood ones (#25: the page was 4,917 px wide)
    await page.setViewportSize({ width: 1280, height: 1000 });
    // English only: the list's other pages hold more groups of one message
    await page.selectOption("#language", "en");
    await page.getByRole("button", { name: "Show" }).click();
    const shown = page.locator("#review li", { hasText: opts["long-text"].slice(0, 40) });
    await shown.first().waitFor({ timeout: 10_000 }).catch(() => {});
    check((await shown.count()) >= 1, "the long message is listed for review");
    await notWiderThanTheWindow(page);
    const file = path.join(opts.out, "insights-long-message-phone.png");
    await page.screenshot({ path: file });
    console.log(`  screenshot ${path.relative(ROOT, file)}`);
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.selectOption("#language", "");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForFunction(() => /^Page 1 of [2-9]/.test(document.getElementById("review-page").textContent));
  }
  const groups = page.locator("#review li button");
  check((await groups.count()) > 0, "the misunderstood messages are listed for review");
  const file = path.join(opts.out, "insights-supervisor.png");
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  screenshot ${path.relative(ROOT, file)}`);
  for (const section of [".tiles", ".trend", ".agents", ".review"]) {
    const violations = await axeViolations(page, section);
    check(violations.length === 0, `axe-core finds nothing in ${section} (${violations.join("; ")})`);
  }
  await reviewPages(page);

  await groups.first().click();
  await page.waitForFunction(() => /added to the review file/.test(document.getElementById("review-status").textContent));
  check(true, "a group is labelled into the review file");

  console.log("plain agent");
  const agentPage = await signIn(browser, opts.agent, problems);
  await agentPage.waitForFunction(() => document.getElementById("me").textContent !== "");
  check(await agentPage.locator("#insights-link").isHidden(), "a plain agent's desk has no Insights link");
  const refused = await agentPage.goto(`${opts.desk}/insights`);
  check(refused.status() === 403, "the Insights page is refused (403)");
  const api = await agentPage.evaluate(async () => (await fetch("/api/insights")).status);
  check(api === 403, "the Insights API is refused (403)");
  const refusedFile = path.join(opts.out, "insights-plain-agent-refused.png");
  await agentPage.screenshot({ path: refusedFile });
  console.log(`  screenshot ${path.relative(ROOT, refusedFile)}`);
  check(problems.length === 0, `no CSP violation or page error (${problems.join("; ")})`);
} catch (error) {
  failed = true;
  console.log(`FAILED: ${error.message}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
