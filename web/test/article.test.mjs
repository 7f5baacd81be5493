// The article card's data rules: `npm test --prefix web` (node's test runner).
import assert from "node:assert/strict";
import { test } from "node:test";
import { articleOf, otherLanguage } from "../src/article.js";
import { t } from "../src/i18n.js";

const ARTICLE = {
  id: "hc-record-meeting",
  topic: "record-meeting",
  url: "https://help.example.com/fr/record-meeting",
  title: "Enregistrer une réunion",
  language: "fr",
  passage: "Pendant la réunion, ouvrez le menu et choisissez Enregistrer.",
};

test("a well-formed article is shown as it came", () => {
  assert.deepEqual(articleOf(ARTICLE), ARTICLE);
});

test("only an http(s) URL becomes the card's link; the title stays without one", () => {
  for (const url of [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/x",
    "/relative/path",
    "vbscript:x",
    "",
    42,
    null,
  ]) {
    const article = articleOf({ ...ARTICLE, url });
    assert.equal(article.url, "", `kept ${url}`);
    assert.equal(article.title, ARTICLE.title);
  }
  assert.equal(articleOf({ ...ARTICLE, url: "http://localhost:8000/a" }).url, "http://localhost:8000/a");
});

test("no title, or no object at all: no card (the plain text is shown)", () => {
  for (const raw of [null, undefined, "article", [ARTICLE], {}, { ...ARTICLE, title: "  " },
    { ...ARTICLE, title: { toString: () => "x" } }]) {
    assert.equal(articleOf(raw), null);
  }
});

test("markup stays text and odd languages are not put in a lang attribute", () => {
  const article = articleOf({ ...ARTICLE, passage: "<img src=x onerror=alert(1)>", language: 'fr" onclick="x' });
  assert.equal(article.passage, "<img src=x onerror=alert(1)>");
  assert.equal(article.language, "");
  assert.equal(articleOf({ ...ARTICLE, language: "pt-BR" }).language, "pt-BR");
  assert.equal(articleOf({ ...ARTICLE, id: 360001 }).id, "360001"); // Zendesk ids are numbers
  assert.equal(articleOf({ ...ARTICLE, passage: undefined }).passage, "");
});

test("the link's words in the three languages", () => {
  assert.equal(t("en", "readArticle"), "Read the article");
  assert.equal(t("it", "readArticle"), "Leggi l'articolo");
  assert.equal(t("fr", "readArticle"), "Lire l'article");
});

test("a note only when the article is not in the chat's language", () => {
  assert.equal(otherLanguage("en", "it"), "en");
  assert.equal(otherLanguage("fr-CA", "fr"), "");
  assert.equal(otherLanguage("", "fr"), "");
  assert.equal(t("it", "articleOtherLanguage", { language: "English" }),
    "Questo articolo è disponibile solo in English.");
});
