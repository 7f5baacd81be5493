// The browser tests' accessibility checks: axe-core (web/node_modules) and WCAG's
// contrast ratio, shared by widget.test.mjs and insights.test.mjs.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const AXE = path.join(ROOT, "web", "node_modules", "axe-core", "axe.min.js");

/** WCAG's contrast ratio of two CSS colours as getComputedStyle gives them (rgb/rgba). */
export function contrast(first, second) {
  const luminance = (css) => {
    const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(first), luminance(second)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}

/**
 * axe-core's WCAG 2.1 A/AA checks on the element `selector` names (the chat widget by
 * default, its open shadow root included);
 * returns "rule: target" lines, empty when it passes. Evaluated through the
 * DevTools protocol, so the site's CSP (no inline script) does not stop it.
 */
export async function axeViolations(page, selector = "#rasa-support-widget") {
  if (!(await page.evaluate(() => Boolean(window.axe)))) {
    await page.evaluate(`${readFileSync(AXE, "utf8")}\n;0`);
  }
  const violations = await page.evaluate(
    async (include) =>
      (
        await window.axe.run(
          { include: [include] },
          { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } },
        )
      ).violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`),
    selector,
  );
  return violations;
}

/**
 * What WCAG 1.4.11 compares for the element `locator` names, from its computed styles:
 * its focus ring (an outline, drawn outside the element) and its border, each with the
 * colour behind it (the first ancestor with a background, across shadow roots; the
 * page's canvas is white). Returns {name, ring: {color, width, style}, border: {color,
 * width}, behind, focusVisible}.
 */
export async function edges(locator) {
  return locator.evaluate((node) => {
    const opaque = (color) => color !== "transparent" && !/rgba\(.*,\s*0\)$/.test(color);
    let behind = "rgb(255, 255, 255)";
    let up = node.parentNode;
    while (up) {
      if (up.nodeType === Node.DOCUMENT_FRAGMENT_NODE) { up = up.host; continue; }
      if (up.nodeType !== Node.ELEMENT_NODE) break;
      const background = getComputedStyle(up).backgroundColor;
      if (opaque(background)) { behind = background; break; }
      up = up.parentNode;
    }
    const style = getComputedStyle(node);
    return {
      name: `${node.tagName.toLowerCase()}${node.id ? "#" + node.id : ""}${node.className ? "." + node.className : ""}`,
      ring: { color: style.outlineColor, width: parseFloat(style.outlineWidth), style: style.outlineStyle },
      border: { color: style.borderTopColor, width: parseFloat(style.borderTopWidth) },
      behind,
      focusVisible: node.matches(":focus-visible"),
    };
  });
}
