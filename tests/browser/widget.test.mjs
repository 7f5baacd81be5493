// Drives Debian's chromium (through playwright-core from web/node_modules) against
// the real support site and the real Rasa server, as a person would use the chat.
//
//   node tests/browser/widget.test.mjs --site http://127.0.0.1:8000 \
//        --rasa http://127.0.0.1:5005 --proxy-port 5006 [--steps a,b,c] \
//        [--out reports/browser] [--transcript file.json] [--articles cards.json]
//
// The site must be started with RASA_PORT=<proxy-port>: this script forwards that
// port to Rasa itself, so it can cut the widget's connection like a network drop.
// Each step saves a screenshot under --out. Every bot text shown is written to
// --transcript for the pytest side, which checks the languages against domain.yml.
// Exit status 0 when every step passed.
//
// Steps (run in the order given; later steps reuse what earlier ones opened):
//   it-open it-message it-quick-reply it-reload reconnect limits second-context
//   reset-request outbox-reset fr-conversation phone        (the default list)
// The steps check what the widget does, not which answer the dialogue picks:
// any reply will do, and the pytest side checks its language.
//   article-card  shows help-centre articles as the server sends them (custom.article,
//           given to the widget's own receive()), well-formed and hostile, on a phone:
//           heading, link, lang, wrapping, keyboard focus, axe-core, reload.
//   article-it article-fr article-en  the real path: a how-to question answered from the help
//           centre shows the card; its link opens the article's URL in a new tab with
//           no opener; "No" to "Did this answer your question?" gets a reply (the
//           pytest side checks it offers a person and the URL is the article's).
//   first-minute  a new conversation (English page, Tokyo time): the greeting once (also
//           after a reload), the team's hours as the server's periods read in Tokyo,
//           the "Talk to a person" button, lang on everything, axe-core; the button asks.
//   language-menu  Français in the menu, then an English message: the answer is French
//           (the pytest side checks), and each message element carries its lang.
//   queue   prints WAITING_FOR_TICKET {"session_id"}: the caller queues a ticket ahead
//           and this one, then WAITING_FOR_CLAIM: it claims the one ahead; the place and
//           the wait update live, "typing" stays off while waiting for a person.
//   unread  closes the chat and prints WAITING_FOR_MESSAGES {"session_id"}: the caller
//           has a person claim the ticket and write twice; the launcher's badge, its
//           accessible name and the page's title count the three; opening clears them.
//   agent   waits for a message from a person (desk): prints
//           WAITING_FOR_AGENT {"session_id": ...} and expects the caller to
//           inject one, then checks the banner and the agent's bubble.

import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { axeViolations, contrast, edges } from "./accessibility.mjs";
import { hoursLines, periodsOf } from "../../web/src/hours.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const PLAYWRIGHT = path.join(ROOT, "web", "node_modules", "playwright-core", "index.mjs");
const REPLY_TIMEOUT_MS = 90_000; // Rasa shares 2 cores with other servers: be patient
const SETTLE_MS = 800; // one response's messages arrive together; wait for the last one
const MAX_CHARS = 5000;
const RESET_EMAIL = "deactivated.recent@example.com";
const NEW_PASSWORD = "a long enough passphrase 42";

const DEFAULT_STEPS = [
  "it-open",
  "it-message",
  "it-quick-reply",
  "it-reload",
  "reconnect",
  "limits",
  "second-context",
  "reset-request",
  "outbox-reset",
  "fr-conversation",
  "phone",
];

// --- plumbing --------------------------------------------------------------------

function options() {
  const { values } = parseArgs({
    options: {
      site: { type: "string" },
      rasa: { type: "string" },
      "proxy-port": { type: "string" },
      steps: { type: "string", default: DEFAULT_STEPS.join(",") },
      out: { type: "string", default: path.join(ROOT, "reports", "browser") },
      transcript: { type: "string", default: "" },
      articles: { type: "string", default: "" }, // the article cards shown, as JSON
      chromium: { type: "string", default: "/usr/bin/chromium" },
      "agent-name": { type: "string", default: "Marie" },
    },
  });
  for (const required of ["site", "rasa", "proxy-port"]) {
    if (!values[required]) throw new Error(`--${required} is required`);
  }
  return values;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * A TCP forwarder from the port the page knows to Rasa. drop() closes every
 * connection and refuses new ones, as a lost network does; restore() lets the
 * widget's own reconnection get through again.
 */
class Proxy {
  constructor(port, target) {
    this.port = port;
    this.target = new URL(target);
    this.sockets = new Set();
    this.server = null;
  }

  async listen() {
    this.server = net.createServer((client) => this.forward(client));
    await new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.port, "127.0.0.1", resolve);
    });
  }

  forward(client) {
    const upstream = net.connect(Number(this.target.port), this.target.hostname);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.on("error", () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  }

  async drop() {
    const closed = new Promise((resolve) => this.server.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  async restore() {
    await this.listen();
  }

  async close() {
    for (const socket of this.sockets) socket.destroy();
    if (this.server && this.server.listening) await new Promise((r) => this.server.close(r));
  }
}

/** Locators for the widget; Playwright's CSS locators see into its open shadow root. */
function widget(page) {
  const root = page.locator("#rasa-support-widget");
  return {
    root,
    launcher: root.locator("button.launcher"),
    panel: root.locator("section.panel"),
    input: root.locator("textarea"),
    send: root.locator("button.send"),
    log: root.locator('[role="log"]'),
    hint: root.locator(".hint"),
    typing: root.locator(".typing"),
    status: root.locator(".status"),
    quickReplies: root.locator("button.quick-reply"),
    user: root.locator('.msg[data-from="user"]'),
    replies: root.locator('.msg[data-from="bot"], .msg[data-from="agent"]'),
    replyBodies: root.locator('.msg[data-from="bot"] .body, .msg[data-from="agent"] .body'),
    banners: root.locator(".banner"),
    greeting: root.locator(".greeting"),
    talk: root.locator("button.talk"),
    waiting: root.locator(".waiting"),
    badge: root.locator(".badge"),
  };
}

async function poll(description, probe, timeout = REPLY_TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms: ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The texts of the replies after the first `before`, once they stop coming. */
async function waitForReplies(page, before, description) {
  const w = widget(page);
  let count = await poll(`a reply to ${description}`, async () => {
    const now = await w.replies.count();
    return now > before ? now : 0;
  });
  let stableSince = Date.now();
  while (Date.now() - stableSince < SETTLE_MS) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await w.replies.count();
    if (now !== count) {
      count = now;
      stableSince = Date.now();
    }
  }
  check(await w.typing.isHidden(), "the typing indicator is still shown after the reply");
  return (await w.replyBodies.allTextContents()).slice(before);
}

async function focusedId(page) {
  return page.evaluate(
    () => document.querySelector("#rasa-support-widget")?.shadowRoot?.activeElement?.id || "",
  );
}

/** WCAG 1.4.11 on a focused control, from the computed styles: its focus ring (and
 * with `border`, its edge) at least 3:1 against what is behind it (#25: 2.15:1, 2.54:1). */
async function uiContrast(locator, what, { border = false } = {}) {
  const edge = await edges(locator);
  check(edge.focusVisible, `${what} (${edge.name}) has no visible keyboard focus`);
  const ring = contrast(edge.ring.color, edge.behind);
  check(edge.ring.style !== "none" && ring >= 3, `${what}'s focus ring is ${ring.toFixed(2)}:1 against ${edge.behind}`);
  if (border) {
    const ratio = contrast(edge.border.color, edge.behind);
    check(ratio >= 3, `${what}'s border is ${ratio.toFixed(2)}:1 against ${edge.behind}`);
  }
}

async function storedSession(page) {
  return stored(page, ":session");
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

/** Click the first quick reply: its title becomes the user's bubble, then a reply. */
async function clickQuickReply(run, page, step, language) {
  const w = widget(page);
  const button = w.quickReplies.first();
  await button.waitFor({ timeout: 5_000 });
  const title = await button.textContent();
  const before = await w.replies.count();
  await button.click();
  const shown = (await w.user.locator(".body").allTextContents()).at(-1);
  check(shown === title, `the user's bubble shows ${shown}, not the button's title ${title}`);
  check((await w.quickReplies.count()) === 0, "answered quick replies are still offered");
  check((await focusedId(page)) === "rw-input", "focus did not return to the message box");
  const bot = await waitForReplies(page, before, `the quick reply ${title}`);
  run.record(step, language, title, bot);
}

/** The card checks shared by the injected and the real-server steps. */
async function checkCard(page, card, { title, url, language, readLabel }) {
  const heading = card.locator("h3.card-title");
  check((await heading.textContent()) === title, `the card's heading is not ${title}`);
  check((await heading.getAttribute("lang")) === language, `the heading is not lang=${language}`);
  const link = card.locator("a.card-link");
  check((await link.count()) === 1, "the card has no link");
  check((await link.getAttribute("href")) === url, `the card links to ${await link.getAttribute("href")}`);
  check((await link.getAttribute("target")) === "_blank", "the link does not open a new tab");
  check((await link.getAttribute("rel")) === "noopener noreferrer", "the link keeps an opener");
  check((await link.textContent()) === readLabel, `the link reads ${await link.textContent()}`);
  // keyboard: from the conversation, Tab reaches the link; its focus ring is >= 3:1
  await link.focus();
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(
    () => document.querySelector("#rasa-support-widget").shadowRoot.activeElement?.className || "",
  );
  check(focused === "card-link", `Tab lands on ${focused}, not the card's link`);
  const ring = await link.evaluate((node) => {
    const style = getComputedStyle(node);
    const bubble = getComputedStyle(node.closest(".msg"));
    return { color: style.outlineColor, width: style.outlineWidth, style: style.outlineStyle, bg: bubble.backgroundColor };
  });
  check(ring.style !== "none" && parseFloat(ring.width) >= 2, `no visible focus ring (${JSON.stringify(ring)})`);
  const ratio = contrast(ring.color, ring.bg);
  check(ratio >= 3, `the focus ring's contrast is ${ratio.toFixed(2)}:1`);
  // wraps inside the chat: nothing wider than the bubble
  const overflow = await card.evaluate((node) => node.scrollWidth - node.clientWidth);
  check(overflow <= 0, `the card is ${overflow}px wider than its bubble`);
}

const ARTICLE_RUNS = {
  it: {
    launcher: "Chatta con noi",
    question: "come registro una riunione e dove trovo il file?",
    readLabel: "Leggi l'articolo",
    no: "No",
  },
  fr: {
    launcher: "Discuter avec nous",
    question: "comment partager mon écran pendant une réunion ?",
    readLabel: "Lire l'article",
    no: "Non",
  },
  en: {
    launcher: "Chat with us",
    question: "how do I record a meeting and where does the file go?",
    readLabel: "Read the article",
    no: "No",
  },
};

/** A how-to question through the real servers: card, link, feedback "no". */
async function articleAnswer(run, language) {
  const words = ARTICLE_RUNS[language];
  const page = await run.newPage(`article-${language}`, {
    locale: language,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  // the demo articles live on an example domain: the new tab gets a stand-in page
  await page.context().route("https://help.example.com/**", (route) =>
    route.fulfill({ contentType: "text/html", body: "<title>article</title>" }),
  );
  await page.goto(`${run.site}/?lang=${language}`);
  const w = await run.openChat(page, words.launcher);
  const bot = await run.say(page, `article-${language}`, language, words.question);
  const card = w.root.locator(".msg.has-article").last();
  check((await card.count()) === 1, `no article card for the how-to question: ${JSON.stringify(bot)}`);
  const title = await card.locator("h3").textContent();
  const url = await card.locator("a.card-link").getAttribute("href");
  const articleLanguage = await card.locator("h3").getAttribute("lang");
  await checkCard(page, card, { title, url, language: articleLanguage, readLabel: words.readLabel });
  const violations = await axeViolations(page);
  check(violations.length === 0, `axe-core: ${violations.join("; ")}`);
  const [tab] = await Promise.all([
    page.context().waitForEvent("page"),
    card.locator("a.card-link").click(),
  ]);
  await tab.waitForLoadState();
  check(tab.url() === url, `the link opened ${tab.url()}, not ${url}`);
  check((await tab.evaluate(() => window.opener)) === null, "the article's tab has a handle on the chat");
  await tab.close();
  run.articles.push({ language, title, url, article_language: articleLanguage });
  await run.screenshot(page, `article-card-${language}`);
  // "Did this answer your question?" comes as the next message, with its buttons
  const no = w.quickReplies.filter({ hasText: new RegExp(`^${words.no}$`) });
  await no.waitFor({ timeout: 30_000 });
  const before = await w.replies.count();
  await no.click();
  const replies = await waitForReplies(page, before, `"${words.no}" to the article`);
  run.record(`article-${language}-no`, language, words.no, replies);
  await run.screenshot(page, `article-no-${language}`);
}

// --- the run -----------------------------------------------------------------------

class Run {
  constructor(opts, chromium) {
    this.opts = opts;
    this.chromium = chromium;
    this.site = opts.site.replace(/\/+$/, "");
    this.proxy = new Proxy(Number(opts["proxy-port"]), opts.rasa);
    this.transcript = [];
    this.articles = []; // the cards the real servers sent: for the pytest side
    this.problems = []; // CSP violations and uncaught page errors, from every page
    this.shots = 0;
    this.pages = {};
  }

  async start() {
    mkdirSync(this.opts.out, { recursive: true });
    await this.proxy.listen();
    this.browser = await this.chromium.launch({
      executablePath: this.opts.chromium,
      headless: true,
    });
    console.log(`chromium ${this.browser.version()}`);
  }

  async stop() {
    await this.browser?.close();
    await this.proxy.close();
  }

  async newPage(name, contextOptions) {
    const context = await this.browser.newContext(contextOptions);
    const page = await context.newPage();
    this.watch(page, name);
    this.pages[name] = page;
    return page;
  }

  watch(page, name) {
    page.on("pageerror", (error) => this.problems.push(`${name}: page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy/i.test(message.text())) {
        this.problems.push(`${name}: ${message.text()}`);
      }
    });
  }

  async screenshot(page, name) {
    this.shots += 1;
    const file = path.join(this.opts.out, `${String(this.shots).padStart(2, "0")}-${name}.png`);
    await page.screenshot({ path: file });
    console.log(`  screenshot ${path.relative(ROOT, file)}`);
  }

  record(step, language, user, bot) {
    this.transcript.push({ step, language, user, bot });
  }

  /** Type `text` in the box, send it with Enter, and return the replies' texts. */
  async say(page, step, language, text) {
    const w = widget(page);
    const before = await w.replies.count();
    const users = await w.user.count();
    await w.input.fill(text);
    await w.input.press("Enter");
    await poll("the user's bubble", async () => (await w.user.count()) > users, 10_000);
    const bot = await waitForReplies(page, before, JSON.stringify(text.slice(0, 40)));
    this.record(step, language, text, bot);
    return bot;
  }

  async openChat(page, launcherName) {
    const w = widget(page);
    const launcher = page.getByRole("button", { name: launcherName });
    await launcher.waitFor();
    await launcher.click();
    await w.panel.waitFor({ state: "visible" });
    return w;
  }
}

// --- steps -------------------------------------------------------------------------

const STEPS = {
  // The Italian page: the launcher is a real, named button; the chat opens with
  // focus in the message box and closes with Escape, focus back on the launcher.
  async "it-open"(run) {
    const page = await run.newPage("it", { locale: "it-IT", viewport: { width: 1280, height: 900 } });
    await page.goto(`${run.site}/?lang=it`);
    check((await page.getAttribute("html", "lang")) === "it", "the page is not <html lang=it>");
    const w = widget(page);
    const launcher = page.getByRole("button", { name: "Chatta con noi" });
    await launcher.focus();
    await uiContrast(launcher, "the launcher");
    await page.keyboard.press("Enter");
    await w.panel.waitFor({ state: "visible" });
    check((await focusedId(page)) === "rw-input", "opening the chat did not focus the message box");
    const box = w.root.locator("#rw-input");
    await uiContrast(box, "the message box", { border: true });
    await page.keyboard.press("Shift+Tab"); // back into the header, on its blue
    await uiContrast(w.root.locator(":focus"), "the header's control");
    await page.keyboard.press("Tab");
    check((await w.log.getAttribute("aria-live")) === "polite", "the log is not aria-live=polite");
    check(await page.getByRole("textbox", { name: "Il tuo messaggio" }).isVisible(), "no labelled box");
    check(await w.send.isDisabled(), "the send button is enabled with an empty box");
    await page.keyboard.press("Escape");
    await w.panel.waitFor({ state: "hidden" });
    check((await focusedId(page)) === "", "focus did not leave the closed chat");
    check(await launcher.evaluate((node) => node.matches(":focus")), "focus is not on the launcher");
    await launcher.click();
    await w.panel.waitFor({ state: "visible" });
    await run.screenshot(page, "it-open");
  },

  async "it-message"(run) {
    const page = run.pages.it;
    const w = widget(page);
    const bot = await run.say(page, "it-message", "it", "ciao, non riesco ad accedere al mio account");
    check(bot.length >= 1, "no reply");
    // the buttons come with the form's question, a second response that a busy action
    // server may send later than the settle time
    await poll("the reply's quick-reply buttons", async () => (await w.quickReplies.count()) >= 1, 30_000);
    await run.screenshot(page, "it-first-reply");
  },

  // A quick reply sends its payload and shows its title as the user's bubble.
  async "it-quick-reply"(run) {
    await clickQuickReply(run, run.pages.it, "it-quick-reply", "it");
    await run.screenshot(run.pages.it, "it-quick-reply");
  },

  // A reload keeps the conversation: same session id, same messages, and the
  // conversation goes on.
  async "it-reload"(run) {
    const page = run.pages.it;
    const w = widget(page);
    const session = await storedSession(page);
    const secret = await stored(page, ":secret");
    const messages = await w.root.locator(".msg").allTextContents();
    check(session, "no session id in localStorage");
    // the conversation ID (as tickets show it) is derived from the secret, never equal
    check(typeof secret === "string" && secret.length >= 43, "no session secret in localStorage");
    check(session.startsWith("socketio:") && !session.includes(secret), "the session id is not derived");
    await page.reload();
    await w.panel.waitFor({ state: "visible" }); // it was open: it opens again
    await poll("the history after the reload", async () =>
      (await w.root.locator(".msg").count()) === messages.length,
    10_000);
    const after = await w.root.locator(".msg").allTextContents();
    check(JSON.stringify(after) === JSON.stringify(messages), "the history changed on reload");
    check((await storedSession(page)) === session, "the session id changed on reload");
    check((await stored(page, ":secret")) === secret, "the session secret changed on reload");
    run.itSession = session;
    await run.screenshot(page, "it-after-reload");
    await run.say(page, "it-reload", "it", "grazie mille");
  },

  // A dropped connection: what the user types meanwhile is kept, marked as not
  // sent, and delivered once socket.io has reconnected and rejoined the session.
  async reconnect(run) {
    const page = run.pages.it;
    const w = widget(page);
    await run.proxy.drop();
    await poll("the offline notice", async () => (await w.status.getAttribute("data-state")) === "offline", 20_000);
    const before = await w.replies.count();
    const text = "ok, grazie per l'aiuto";
    await w.input.fill(text);
    await w.input.press("Enter");
    const pending = w.root.locator('.msg[data-from="user"][data-pending]');
    await pending.waitFor({ timeout: 5_000 });
    await run.screenshot(page, "offline-message-queued");
    await run.proxy.restore();
    await pending.waitFor({ state: "detached", timeout: 60_000 });
    const bot = await waitForReplies(page, before, "the message typed while offline");
    run.record("reconnect", "it", text, bot);
    check((await storedSession(page)) === run.itSession, "reconnecting started a new session");
    check(await w.status.isHidden(), "the offline notice is still shown");
    await run.screenshot(page, "reconnected");
  },

  // Input limits: an empty message is not sent; 5,000 characters and an
  // emoji-only message are; markup is shown as text; the conversation goes on.
  async limits(run) {
    const page = run.pages.it;
    const w = widget(page);
    const users = await w.user.count();
    await w.input.fill("   ");
    check(await w.send.isDisabled(), "the send button is enabled for blanks");
    await w.input.press("Enter");
    await poll("the empty-message hint", async () => (await w.hint.textContent()) === "Scrivi prima un messaggio.", 5_000);
    check((await w.user.count()) === users, "an empty message was sent");
    await run.screenshot(page, "empty-message-not-sent");

    const long = "Non riesco ad accedere al mio account da ieri sera. ".repeat(120);
    await w.input.fill(long);
    const typed = await w.input.inputValue();
    check(typed.length === MAX_CHARS, `the box holds ${typed.length} characters, not ${MAX_CHARS}`);
    check((await w.hint.textContent()).includes("5000"), "no character count near the limit");
    const before = await w.replies.count();
    await w.input.press("Enter");
    const longReplies = await waitForReplies(page, before, "the 5,000-character message");
    run.record("limits-long", "it", `${typed.slice(0, 60)}… (${typed.length} characters)`, longReplies);
    const sent = (await w.user.locator(".body").allTextContents()).at(-1);
    check(sent.length === MAX_CHARS, `the long bubble has ${sent.length} characters`);
    await run.screenshot(page, "long-message");

    await run.say(page, "limits-emoji", "it", "👍🙂");
    const markup = '<img src=x onerror="window.__xss=1"> <b>grassetto</b>';
    await run.say(page, "limits-markup", "it", markup);
    const shown = (await w.user.locator(".body").allTextContents()).at(-1);
    check(shown === markup, "markup in a message was not shown as text");
    check((await w.log.locator("img, b").count()) === 0, "markup in a message became elements");
    check(!(await page.evaluate(() => window.__xss)), "a message ran a script");
    await run.screenshot(page, "emoji-and-markup");
    await run.say(page, "limits-after", "it", "grazie, a presto");
  },

  // A second browser (no localStorage) starts its own, empty conversation.
  async "second-context"(run) {
    const page = await run.newPage("second", { locale: "it-IT", viewport: { width: 1280, height: 900 } });
    await page.goto(`${run.site}/?lang=it`);
    const w = await run.openChat(page, "Chatta con noi");
    check((await w.root.locator(".msg").count()) === 0, "a new browser shows an old conversation");
    const session = await poll("a session id", () => storedSession(page), 30_000);
    check(session !== run.itSession, "a new browser joined the first browser's conversation");
    await run.screenshot(page, "second-browser-new-conversation");
  },

  // In that fresh conversation: a password reset for a demo account.
  async "reset-request"(run) {
    const page = run.pages.second;
    await run.say(page, "reset-request", "it", "ho dimenticato la password, me la potete reimpostare?");
    await run.say(page, "reset-email", "it", RESET_EMAIL);
    await run.screenshot(page, "second-browser-reset-requested");
  },

  // The demo outbox shows the reset mail; its link opens the reset page (on this
  // test's site), which refuses a short password, then changes it, then is used up.
  async "outbox-reset"(run) {
    const page = await run.pages.second.context().newPage();
    run.watch(page, "outbox");
    await page.goto(`${run.site}/?lang=it`);
    await page.getByRole("link", { name: "Apri la posta in uscita della demo" }).click();
    await page.waitForURL(/\/outbox/);
    // newest first; the same address may also have had one-time codes
    const mail = page
      .locator("article.mail")
      .filter({ has: page.locator(".to", { hasText: RESET_EMAIL }) })
      .filter({ has: page.locator("a[href*='reset-password?'][href*='token=']") })
      .first();
    await mail.waitFor({ timeout: 10_000 });
    const link = await mail.locator("a[href*='reset-password?'][href*='token=']").first().getAttribute("href");
    check(link, "no reset link in the mail");
    await run.screenshot(page, "outbox");
    const mailed = new URL(link); // RESET_PAGE_URL's host is not this test's site
    const resetUrl = `${run.site}${mailed.pathname}${mailed.search}`;
    await page.goto(resetUrl);
    check((await page.getAttribute("html", "lang")) === "it", "the reset page is not in Italian");
    const password = page.getByLabel("Nuova password", { exact: true });
    const again = page.getByLabel("Ripeti la nuova password");
    const submit = page.getByRole("button", { name: "Cambia la password" });
    await password.fill("corta");
    await again.fill("corta");
    // the browser's own minlength check would stop this submit: test the server's
    await page.locator("form").evaluate((form) => form.setAttribute("novalidate", ""));
    await submit.click();
    await page.getByText("La password è troppo corta").waitFor();
    await run.screenshot(page, "reset-password-too-short");
    await password.fill(NEW_PASSWORD);
    await again.fill(NEW_PASSWORD);
    await submit.click();
    await page.getByText("La password è stata cambiata").waitFor();
    await run.screenshot(page, "reset-password-done");
    await page.goto(resetUrl);
    await page.getByText("Questo link non è valido").waitFor(); // single use
    await page.close();
  },

  async "fr-conversation"(run) {
    const page = await run.newPage("fr", { locale: "fr-FR", viewport: { width: 1280, height: 900 } });
    await page.goto(`${run.site}/?lang=fr`);
    check((await page.getAttribute("html", "lang")) === "fr", "the page is not <html lang=fr>");
    const w = await run.openChat(page, "Discuter avec nous");
    check((await w.input.getAttribute("placeholder")) === "Écrivez votre message…", "not in French");
    await run.say(page, "fr-message", "fr", "bonjour, je n'arrive pas à me connecter à mon compte");
    await poll("the French reply's quick-reply buttons", async () => (await w.quickReplies.count()) >= 1, 30_000);
    await clickQuickReply(run, page, "fr-quick-reply", "fr");
    await run.screenshot(page, "fr-conversation");
  },

  // A phone: the chat takes the whole screen and still works.
  async phone(run) {
    const page = await run.newPage("phone", {
      locale: "en-GB",
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    await page.goto(`${run.site}/?lang=en`);
    await run.screenshot(page, "phone-page");
    const launcher = page.getByRole("button", { name: "Chat with us" });
    await launcher.tap();
    const w = widget(page);
    await w.panel.waitFor({ state: "visible" });
    const box = await w.panel.boundingBox();
    check(box && box.width === 390 && box.height === 844, `the chat is ${box?.width}x${box?.height}`);
    await run.say(page, "phone", "en", "hello");
    await run.screenshot(page, "phone-chat");
  },

  // Articles as the server sends them, given to the widget's own receive(): the real
  // answer path is the article-answer step; this one feeds the hostile cases too.
  async "article-card"(run) {
    const page = await run.newPage("article", {
      locale: "fr-FR",
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    await page.goto(`${run.site}/?lang=fr`);
    const w = await run.openChat(page, "Discuter avec nous");
    const good = {
      id: "demo-record-meeting",
      topic: "record-meeting",
      url: "https://help.example.com/fr/articles/enregistrer-une-reunion",
      title: "Enregistrer une réunion et retrouver le fichier",
      language: "fr",
      passage: "Pendant la réunion, l'organisateur lance l'enregistrement depuis la barre d'outils.\nLe fichier est disponible une fois la réunion terminée.",
    };
    const long = "x".repeat(400);
    const hostile = {
      id: "<b>1</b>",
      topic: "t",
      url: "javascript:window.__xss=1",
      title: `<img src=x onerror="window.__xss=1"> ${long}`,
      language: 'fr" onfocus="window.__xss=1',
      passage: `<script>window.__xss=1</script> https://${long}.example`,
    };
    // the help centre has this one in English only
    const english = {
      ...good,
      id: "demo-wake-on-lan",
      url: "https://help.example.com/en/wake-on-lan",
      title: "Wake on LAN",
      language: "en",
      passage: "Wake on LAN lets you start a computer that is switched off.",
    };
    const logChildren = () => w.log.evaluate((node) => node.childElementCount);
    const before = await logChildren();
    await page.evaluate((articles) => {
      const widget = window.__rasaSupportWidget;
      for (const a of articles) widget.receive({ text: `${a.title}\n${a.url}`, custom: { article: a } });
    }, [good, hostile, english]);
    // one node per message in the log: a screen reader announces each card once (given
    // while the widget catches up after connecting, they show when that is done)
    await poll("the three cards", async () => (await logChildren()) >= before + 3, 15_000);
    check((await logChildren()) === before + 3, "a card was added to the log as several nodes");
    const cards = w.root.locator(".msg.has-article");
    check((await cards.count()) === 3, `${await cards.count()} cards shown, not 3`);
    const notes = w.root.locator(".card-note:visible");
    check((await notes.count()) === 1, "not exactly one note about an article's language");
    const note = await cards.nth(2).locator(".card-note").textContent();
    check(note === "Cet article n'est disponible qu'en English.", `the English article's note reads ${note}`);
    check((await cards.nth(2).locator("h3").getAttribute("lang")) === "en", "the English title is not lang=en");
    check(
      await page.getByRole("heading", { level: 3, name: good.title }).isVisible(),
      "the title is not a level-3 heading",
    );
    await checkCard(page, cards.nth(0), { ...good, readLabel: "Lire l'article" });
    const bad = cards.nth(1);
    check((await bad.locator("a").count()) === 0, "a javascript: URL or the passage became a link");
    check((await bad.locator("img, script, b").count()) === 0, "markup in an article became elements");
    check((await bad.locator("h3").textContent()).startsWith("<img"), "the title is not shown as text");
    // the card's own nodes: the message and its sender carry the widget's language
    check((await bad.locator(".card [lang]").count()) === 0, "an odd language went into a lang attribute");
    check(!(await page.evaluate(() => window.__xss)), "an article ran a script");
    const pageOverflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    check(pageOverflow <= 0, `the page scrolls sideways by ${pageOverflow}px`);
    const bubble = await bad.boundingBox();
    check(bubble && bubble.x >= 0 && bubble.x + bubble.width <= 390, "the long card leaves the screen");
    const violations = await axeViolations(page);
    check(violations.length === 0, `axe-core: ${violations.join("; ")}`);
    await run.screenshot(page, "article-cards-phone");
    // the widget's language changes the link's words, not the article's
    await w.root.locator("select.language").selectOption("en");
    check((await cards.nth(0).locator("a.card-link").textContent()) === "Read the article", "the link was not translated");
    check((await cards.nth(0).locator("h3").getAttribute("lang")) === "fr", "the article lost its language");
    check(await cards.nth(2).locator(".card-note").isHidden(), "an English article in an English chat has a note");
    check(await cards.nth(0).locator(".card-note").isVisible(), "a French article in an English chat has no note");
    await w.root.locator("select.language").selectOption("fr");
    // a reload shows the cards again, from the stored history
    await page.reload();
    await w.panel.waitFor({ state: "visible" });
    await poll("the cards after the reload", async () => (await cards.count()) === 3, 10_000);
    await checkCard(page, cards.nth(0), { ...good, readLabel: "Lire l'article" });
    check((await cards.nth(1).locator("a.card-link").count()) === 0, "the reload made a link of a javascript: URL");
  },

  async "article-it"(run) {
    await articleAnswer(run, "it");
  },

  async "article-fr"(run) {
    await articleAnswer(run, "fr");
  },

  async "article-en"(run) {
    await articleAnswer(run, "en");
  },

  // A person from the desk writes: the banner says so and the bubble is theirs.
  // The caller injects the message when it reads the WAITING_FOR_AGENT line.
  async "first-minute"(run) {
    const page = await run.newPage("first", {
      locale: "en-GB", timezoneId: "Asia/Tokyo", viewport: { width: 1280, height: 900 },
    });
    await page.goto(`${run.site}/?lang=en`);
    const w = await run.openChat(page, "Chat with us");
    await w.greeting.waitFor();
    check((await w.greeting.count()) === 1, "more than one greeting");
    check((await w.greeting.getAttribute("lang")) === "en", "the greeting has no lang=en");
    check((await w.greeting.textContent()).includes("I'm the support assistant"), "no greeting text");
    const hours = w.greeting.locator(".hours li");
    await poll("the team's hours", async () => (await hours.count()) > 0, 30_000);
    // the server's opening periods, read in the customer's time zone (Tokyo), not the team's
    const expected = hoursLines(periodsOf(await stored(page, ":hours"), "en"), "en", "Asia/Tokyo");
    const shown = await hours.allTextContents();
    check(
      JSON.stringify(shown) === JSON.stringify(expected.map((line) => `${line.days} ${line.hours || "all day"}`)),
      `the hours shown ${JSON.stringify(shown)} are not the team's in Tokyo time`,
    );
    const talk = page.getByRole("button", { name: "Talk to a person" });
    check(await talk.isVisible(), "no Talk to a person button");
    const violations = await axeViolations(page);
    check(violations.length === 0, `axe-core: ${violations.join("; ")}`);
    await run.screenshot(page, "first-minute");
    await page.reload();
    await w.panel.waitFor({ state: "visible" });
    await w.greeting.waitFor();
    await page.waitForTimeout(1_000); // a second greeting would have come by now
    check((await w.greeting.count()) === 1, "the reload added a second greeting");
    const before = await w.replies.count();
    await talk.click();
    const asked = (await w.user.locator(".body").allTextContents()).at(-1);
    check(asked === "Talk to a person", `the button's bubble says ${asked}`);
    check((await w.user.last().getAttribute("lang")) === "en", "the customer's bubble has no lang");
    const bot = await waitForReplies(page, before, "Talk to a person");
    run.record("first-minute-talk", "en", "Talk to a person", bot);
    check((await w.replies.last().getAttribute("lang")) === "en", "the reply has no lang=en");
    check((await w.greeting.count()) === 1, "the greeting came back after the first message");
  },

  async "language-menu"(run) {
    const page = await run.newPage("menu", { locale: "en-GB", viewport: { width: 1280, height: 900 } });
    await page.goto(`${run.site}/?lang=en`);
    const w = await run.openChat(page, "Chat with us");
    await w.root.locator("select.language").selectOption("fr");
    check((await w.greeting.getAttribute("lang")) === "fr", "the greeting did not follow the menu");
    // English words, French chosen: the bot answers in French (the pytest side checks)
    await run.say(page, "language-menu", "fr", "hello, I cannot sign in to my account");
    check((await w.replies.last().getAttribute("lang")) === "fr", "the reply is not marked lang=fr");
    // the widget's own words inside a message are in the widget's language
    check((await w.replies.last().locator(".sender").getAttribute("lang")) === "fr", "the sender has no lang");
    check((await w.user.last().getAttribute("lang")) === "fr", "the customer's bubble has no lang=fr");
    const unmarked = await w.root.locator(".msg:not([lang]), .banner:not([lang])").count();
    check(unmarked === 0, `${unmarked} message element(s) without lang`);
    await run.screenshot(page, "language-menu-fr");
  },

  async queue(run) {
    const page = run.pages.it;
    check(page, "the queue step needs the Italian conversation: run it-open,it-message first");
    const w = widget(page);
    const session = await storedSession(page);
    console.log(`WAITING_FOR_TICKET ${JSON.stringify({ session_id: session })}`);
    const place = async () => Number(((await w.waiting.textContent()) || "").match(/Sei il numero (\d+) in coda/)?.[1] || 0);
    const first = await poll("the place in the queue", place, 60_000);
    const line = await w.waiting.textContent();
    check(first >= 2 && /Attesa stimata: circa \d+ min\./.test(line), `the waiting line says ${line}`);
    check((await w.waiting.getAttribute("role")) === "status", "the waiting line is not a status");
    check((await w.root.locator('.banner[data-banner="queued"]').count()) === 1, "no waiting banner");
    check(!(await w.talk.isVisible()), "Talk to a person is still offered while waiting for one");
    await run.screenshot(page, "queue-number-2");
    console.log(`WAITING_FOR_CLAIM ${JSON.stringify({ session_id: session })}`);
    await poll("the place updated", async () => (await place()) === first - 1, 60_000);
    // a person is awaited: writing shows no "typing" (this test's ticket was written
    // straight to the database, so the bot is not paused and still answers: wait for it)
    const before = await w.replies.count();
    await w.input.fill("ci sono ancora?");
    await w.input.press("Enter");
    await page.waitForTimeout(300);
    check(await w.typing.isHidden(), "the typing indicator shows while waiting for a person");
    await waitForReplies(page, before, "a message while waiting");
    await run.screenshot(page, "queue-number-1");
  },

  async unread(run) {
    const page = run.pages.it;
    check(page, "the unread step needs the Italian conversation");
    const w = widget(page);
    await w.root.locator("button.close").click();
    await w.panel.waitFor({ state: "hidden" });
    const title = await page.title();
    console.log(`WAITING_FOR_MESSAGES ${JSON.stringify({ session_id: await storedSession(page) })}`);
    // the person's joining and their two messages
    await poll("three unread", async () => (await w.badge.textContent()) === "3", REPLY_TIMEOUT_MS);
    await page.waitForTimeout(1_000); // nothing else counts
    check((await w.badge.textContent()) === "3", `the badge says ${await w.badge.textContent()}`);
    check(await w.badge.isVisible(), "the badge is not shown");
    check((await page.title()) === `(3) ${title}`, `the title is ${await page.title()}`);
    const named = page.getByRole("button", { name: "Chatta con noi, 3 messaggi non letti" });
    check(await named.isVisible(), "the launcher's name does not say 3 unread messages");
    await run.screenshot(page, "unread-badge");
    await page.reload(); // the count survives a reload
    await poll("the badge after a reload", async () => (await w.badge.textContent()) === "3", 10_000);
    await w.launcher.click();
    await w.panel.waitFor({ state: "visible" });
    check(await w.badge.isHidden(), "the badge stays after opening the chat");
    check((await page.title()) === title, `the title stays ${await page.title()}`);
    check((await page.getByRole("button", { name: "Chatta con noi" }).count()) === 0
      || (await w.launcher.getAttribute("aria-label")) === null, "the launcher still names a count");
  },

  async agent(run) {
    const page = run.pages.it || run.pages.fr || run.pages.phone;
    check(page, "the agent step needs a conversation: run a conversation step first");
    const w = widget(page);
    const session = await storedSession(page);
    const banners = await w.banners.count();
    const botLines = w.root.locator('.msg[data-from="bot"] .body');
    const botsBefore = await botLines.count();
    const name = run.opts["agent-name"];
    console.log(`WAITING_FOR_AGENT ${JSON.stringify({ session_id: session, agent: name })}`);
    const from = w.root.locator('.msg[data-from="agent"]');
    await from.first().waitFor({ timeout: REPLY_TIMEOUT_MS });
    check((await w.banners.count()) > banners, "no banner when the person joined");
    // the join is said once (#25: a banner and the bot's "now chatting with ..." both said it)
    const joined = (await botLines.allTextContents()).slice(botsBefore).filter((text) => text.includes(name));
    const joinBanners = await w.root.locator('.banner[data-banner="agent"]').count();
    check(joinBanners === 1 && joined.length === 0,
      `the join is announced once (${joinBanners} banner(s), bot lines: ${JSON.stringify(joined)})`);
    const sender = await from.last().locator(".sender").textContent();
    check(sender === run.opts["agent-name"], `the agent's bubble is signed ${sender}`);
    const text = await from.last().locator(".body").textContent();
    run.record("agent", null, null, [text]);
    await run.screenshot(page, "agent-joined");
  },
};

// --- main --------------------------------------------------------------------------

async function main() {
  const opts = options();
  const steps = opts.steps.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = steps.filter((step) => !(step in STEPS));
  if (unknown.length) throw new Error(`unknown steps: ${unknown.join(", ")}`);
  const { chromium } = await import(pathToFileURL(PLAYWRIGHT).href);
  const run = new Run(opts, chromium);
  let failed = null;
  try {
    await run.start();
    for (const step of steps) {
      const started = Date.now();
      console.log(`step ${step}`);
      try {
        await STEPS[step](run);
      } catch (error) {
        failed = `${step}: ${error.message}`;
        for (const [name, page] of Object.entries(run.pages)) {
          if (!page.isClosed()) await run.screenshot(page, `FAILED-${step}-${name}`).catch(() => {});
        }
        break;
      }
      console.log(`  ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  } finally {
    await run.stop();
    if (opts.transcript) writeFileSync(opts.transcript, JSON.stringify(run.transcript, null, 2));
    if (opts.articles) writeFileSync(opts.articles, JSON.stringify(run.articles, null, 2));
  }
  if (!failed && run.problems.length) failed = `page problems:\n  ${run.problems.join("\n  ")}`;
  if (failed) {
    console.error(`FAILED ${failed}`);
    process.exit(1);
  }
  console.log(`all ${steps.length} steps passed`);
}

main().catch((error) => {
  console.error(`FAILED ${error.stack || error}`);
  process.exit(1);
});
