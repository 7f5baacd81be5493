// Unit tests of the widget's pure helpers: `npm test --prefix web` (node's test runner).
import assert from "node:assert/strict";
import { test } from "node:test";
import { LANGUAGES, STRINGS, initialLanguage, supportedLanguage, t } from "../src/i18n.js";
import { splitLinks } from "../src/text.js";

test("http(s) URLs become links, the rest stays text", () => {
  assert.deepEqual(splitLinks("See https://example.com/a?b=1&c=2 now"), [
    { text: "See " },
    { url: "https://example.com/a?b=1&c=2" },
    { text: " now" },
  ]);
});

test("sentence punctuation after a URL is not part of it", () => {
  assert.deepEqual(splitLinks("Go to http://localhost:8000/reset-password?token=abc."), [
    { text: "Go to " },
    { url: "http://localhost:8000/reset-password?token=abc" },
    { text: "." },
  ]);
  assert.deepEqual(splitLinks("(https://example.com)"), [
    { text: "(" },
    { url: "https://example.com" },
    { text: ")" },
  ]);
});

test("markup and other schemes are never links", () => {
  const text = '<a href="javascript:alert(1)">x</a> javascript:alert(1) data:text/html,hi';
  assert.deepEqual(splitLinks(text), [{ text }]);
  assert.deepEqual(splitLinks('<img src="https://x.test/a.png">'), [
    { text: '<img src="' },
    { url: "https://x.test/a.png" },
    { text: '">' },
  ]);
});

test("text without URLs, empty text and emoji stay as they are", () => {
  assert.deepEqual(splitLinks("👍🙂"), [{ text: "👍🙂" }]);
  assert.deepEqual(splitLinks(""), []);
});

test("languages are limited to it, fr and en", () => {
  assert.equal(supportedLanguage("fr-CA"), "fr");
  assert.equal(supportedLanguage("IT_it"), "it");
  assert.equal(supportedLanguage("de"), null);
  assert.equal(supportedLanguage(undefined), null);
});

test("the first language: configured, else the page's, else the browser's, else English", () => {
  const page = (lang) => ({ documentElement: { lang } });
  const browser = (...languages) => ({ languages, language: languages[0] });
  assert.equal(initialLanguage("fr", page("it"), browser("en")), "fr");
  assert.equal(initialLanguage("auto", page("it-IT"), browser("fr")), "it");
  assert.equal(initialLanguage("auto", page("de"), browser("de-DE", "fr-FR")), "fr");
  assert.equal(initialLanguage("auto", page(""), browser("es")), "en");
});

test("every string exists in the three languages", () => {
  const keys = Object.keys(STRINGS.en).sort();
  for (const language of LANGUAGES) assert.deepEqual(Object.keys(STRINGS[language]).sort(), keys);
});

test("strings fill their placeholders; another language falls back to English", () => {
  assert.equal(t("it", "handoffAgentNamed", { agent: "Marie" }),
    "Un operatore si è unito alla conversazione: Marie");
  assert.equal(t("fr", "handoffEnded"), "Vous êtes de nouveau avec l'assistant");
  assert.equal(t("en", "counter", { n: 4990, max: 5000 }), "4990 of 5000 characters");
  assert.equal(t("xx", "send"), "Send");
});
