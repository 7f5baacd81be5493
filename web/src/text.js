// Message text to DOM nodes without ever parsing it as HTML: bot and user text
// become text nodes, and only http(s) URLs become links.

const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;
// Sentence punctuation right after a URL is almost never part of it.
const TRAILING_PUNCTUATION = /[.,;:!?)\]}»]+$/;

/** Split `text` into [{text}|{url}] parts, in order. */
export function splitLinks(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let url = match[0];
    const trailing = url.match(TRAILING_PUNCTUATION);
    if (trailing) url = url.slice(0, -trailing[0].length);
    if (!isHttpUrl(url)) continue;
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ url });
    last = match.index + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** True for an absolute http: or https: URL; false for javascript:, data:, relative, junk. */
export function isHttpUrl(candidate) {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** A fragment with `text` as text nodes and its URLs as safe links. */
export function linkified(text, doc = document) {
  const fragment = doc.createDocumentFragment();
  for (const part of splitLinks(String(text))) {
    if (part.url) {
      const link = doc.createElement("a");
      link.href = part.url;
      link.textContent = part.url;
      // the opened page must get neither a handle on this window nor the referrer
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      fragment.append(link);
    } else {
      fragment.append(doc.createTextNode(part.text));
    }
  }
  return fragment;
}
