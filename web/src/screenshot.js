// Screenshots for the agent, during a live chat only (the paperclip shows while a
// person has joined). The image goes by HTTP to the widget channel's upload route
// (bot/channels/screenshot_upload.py) with the session secret the socket was
// confirmed with; the server checks the bytes, re-encodes them and keeps them for
// the agent of the ticket. Here only the size is checked first, to spare a phone a
// 20 MB upload that would be refused: what the file is, the server decides.

export const MAX_SCREENSHOT_BYTES = 5 * 1024 * 1024; // bot/services/screenshots/images.py MAX_BYTES
export const ACCEPTED_TYPES = "image/png,image/jpeg"; // what the file picker offers first
const UPLOAD_PATH = "/webhooks/socketio/screenshots";

// the server's refusal -> the widget's message (i18n.js)
const MESSAGE_OF_ERROR = {
  no_live_chat: "screenshotNoAgent",
  too_many: "screenshotTooMany",
  too_often: "screenshotTooOften",
  too_large: "screenshotTooLarge",
  not_an_image: "screenshotWrongType",
  too_many_pixels: "screenshotTooManyPixels",
  unreadable: "screenshotUnreadable",
};
const MESSAGE_OF_STATUS = {
  409: "screenshotNoAgent",
  413: "screenshotTooLarge",
  415: "screenshotWrongType",
  422: "screenshotUnreadable",
  429: "screenshotTooMany",
};

/** Send `file`; null when the agent has it, else the key of the message to show. */
export async function uploadScreenshot(rasaUrl, sessionSecret, file) {
  if (file.size > MAX_SCREENSHOT_BYTES) return "screenshotTooLarge";
  if (file.size === 0) return "screenshotWrongType";
  if (!sessionSecret) return "screenshotFailed";
  let response;
  try {
    response = await fetch(`${rasaUrl}${UPLOAD_PATH}`, {
      method: "POST",
      // the bytes alone: no file name, and the type is the server's to find out
      headers: { "Content-Type": "application/octet-stream", "X-Widget-Session": sessionSecret },
      body: file,
      credentials: "omit",
    });
  } catch {
    return "screenshotFailed";
  }
  if (response.ok) return null;
  let code = null;
  try {
    code = (await response.json()).error;
  } catch {
    code = null;
  }
  return MESSAGE_OF_ERROR[code] || MESSAGE_OF_STATUS[response.status] || "screenshotFailed";
}
