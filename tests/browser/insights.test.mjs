// Opens the desk's Insights page in Debian's chromium (playwright-core from
// web/node_modules): signs in as a supervisor, waits for the charts, checks the
// figures' tiles and the CSV link, and keeps a screenshot; then signs in as a plain
// agent and checks that the page is refused. With --help-row and --help-search, the
// Help centre section too: that article's row, that search's group, no sideways
// scroll at desktop or phone width, and axe-core on the section.
//
//   node tests/browser/insights.test.mjs --desk http://127.0.0.1:8001 \
//        --supervisor sofia:<password> --agent marie:<password> [--out reports/browser] \
//        [--help-row '["article-id", "topic", "2", "1", "1", "50% of 2 answers"]'] \
//        [--help-search '{"text": "part of a search", "count": "2×"}'] [--long-text <message>]
//
// Exit status 0 when every check passed (CSP violations and page errors fail it).

import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
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
  },
});

function check(condition, message) {
  if (!condition) throw new Error(message);
  console.log(`  ok ${message}`);
}

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

const { chromium } = await import(pathToFileURL(PLAYWRIGHT).href);
const browser = await chromium.launch({ executablePath: opts.chromium, headless: true });
const problems = [];
let failed = false;
try {
  mkdirSync(opts.out, { recursive: true });
  console.log("supervisor");
  const page = await signIn(browser, opts.supervisor, problems);
  await page.goto(`${opts.desk}/insights`);
  await page.waitForSelector("body[data-loaded='true']", { timeout: 60_000 });
  for (const id of CHARTS) {
    const box = await page.locator(`#${id}`).boundingBox();
    check(box && box.width > 100 && box.height > 100, `chart ${id} is drawn`);
  }
  const conversations = Number(await page.locator("#conversations").textContent());
  check(conversations > 0, `the conversations tile counts ${conversations}`);
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
    const shown = page.locator("#review li", { hasText: opts["long-text"].slice(0, 40) });
    check((await shown.count()) >= 1, "the long message is listed for review");
    await notWiderThanTheWindow(page);
    const file = path.join(opts.out, "insights-long-message-phone.png");
    await page.screenshot({ path: file });
    console.log(`  screenshot ${path.relative(ROOT, file)}`);
    await page.setViewportSize({ width: 1280, height: 1000 });
  }
  const groups = page.locator("#review li button");
  check((await groups.count()) > 0, "the misunderstood messages are listed for review");
  const file = path.join(opts.out, "insights-supervisor.png");
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  screenshot ${path.relative(ROOT, file)}`);

  await groups.first().click();
  await page.waitForFunction(() => /added to the review file/.test(document.getElementById("review-status").textContent));
  check(true, "a group is labelled into the review file");

  console.log("plain agent");
  const agentPage = await signIn(browser, opts.agent, problems);
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
