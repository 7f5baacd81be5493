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
