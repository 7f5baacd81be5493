// A help-centre article sent with a bot message (`custom.article`, see
// bot/channels/socketio.py): checked here, then shown as a card instead of the
// message's plain text. The passage comes from imported content we do not fully
// control, so every field goes into the page as text, never as markup.

import { isHttpUrl } from "./text.js";

// A BCP 47 tag as help centres write them ("it", "fr-CA", "pt-BR"): anything else
// is not put into a lang attribute.
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

function field(source, name) {
  const value = source[name];
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return "";
}

/**
 * The article to show as a card, or null when `raw` has no title (the message's
 * plain text is shown then). The link is kept only for an http(s) URL; the
 * language only when it is a language tag.
 */
export function articleOf(raw) {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return null;
  const title = field(raw, "title");
  if (!title) return null;
  const url = field(raw, "url");
  const language = field(raw, "language");
  return {
    id: field(raw, "id"),
    topic: field(raw, "topic"),
    title,
    passage: field(raw, "passage"),
    url: isHttpUrl(url) ? url : "",
    language: LANGUAGE_TAG.test(language) ? language : "",
  };
}

/**
 * The card's nodes: the title as a heading (h3: the panel's title is the h2), the
 * passage, and the "Read the article" link when there is a safe URL. Title and
 * passage carry the article's language; the link text (`words.read`) and the note
 * that the article is in another language (`words.note`, shown when not empty) are
 * the widget's own words, in the widget's language.
 */
export function articleCard(article, words, headingId, doc = document) {
  const card = doc.createElement("div");
  card.className = "card";
  const heading = doc.createElement("h3");
  heading.className = "card-title";
  heading.id = headingId;
  heading.textContent = article.title;
  const parts = [heading];
  if (article.passage) {
    const passage = doc.createElement("p");
    passage.className = "card-passage";
    passage.textContent = article.passage;
    parts.push(passage);
  }
  if (article.language) for (const part of parts) part.lang = article.language;
  // a card has the server's note on the language only in its plain text: say it here
  const note = doc.createElement("p");
  note.className = "card-note";
  note.dataset.articleNote = article.language;
  note.textContent = words.note;
  note.hidden = !words.note;
  parts.push(note);
  if (article.url) {
    const link = doc.createElement("a");
    link.className = "card-link";
    link.href = article.url;
    // the opened page must get neither a handle on this window nor the referrer
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.dataset.read = "";
    // several cards in one log: each link also names its article
    link.setAttribute("aria-describedby", headingId);
    link.textContent = words.read;
    parts.push(link);
  }
  card.append(...parts);
  return card;
}

/** The article's primary language when it is not the widget's `language`, else "". */
export function otherLanguage(articleLanguage, language) {
  const primary = String(articleLanguage || "").split("-")[0].toLowerCase();
  return primary && primary !== language ? primary : "";
}
