// What every two-context browser driver here needs the same way: a check that stops
// the run at the first failure (and logs each pass), polling for what the servers do
// in their own time, and a plain sleep.

// the servers share 2 cores with other work: be patient
export const REPLY_TIMEOUT_MS = 90_000;

export function check(condition, message) {
  if (!condition) throw new Error(message);
  console.log(`  ok ${message}`);
}

/** The first truthy value `probe` gives, tried every 200 ms until `timeout`. */
export async function poll(description, probe, timeout = REPLY_TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms: ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A desk page of `context` signed in as `who` ("name:password"). */
export async function signIn(context, desk, who) {
  const [username, password] = who.split(/:(.*)/s);
  const page = await context.newPage();
  await page.goto(`${desk}/login`);
  await page.getByLabel(/name/i).fill(username);
  await page.getByLabel(/password/i).fill(password);
  await page.getByRole("button", { name: /sign in/i }).click();
  await page.waitForURL(`${desk}/`);
  return page;
}

/** The id of the desk ticket whose summary has `marker`, once the queue shows it. */
export async function ticketWithMarker(deskPage, marker) {
  return poll("the ticket in the desk's queue", () =>
    deskPage.evaluate(async (wanted) => {
      const response = await fetch("/api/tickets", { credentials: "same-origin" });
      const { tickets } = await response.json();
      const ticket = tickets.find((t) => (t.summary || "").includes(wanted));
      return ticket ? ticket.id : null;
    }, marker),
  );
}
