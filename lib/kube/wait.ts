// SPDX-License-Identifier: Apache-2.0
// Waiting for a condition, the Kubernetes way: never sleep for a fixed time, poll what you are
// waiting for until it holds or a deadline passes. Lessons, tests and scripts all wait like this,
// so a slow machine makes them slower, never wrong, and a failure says what never happened.

export interface WaitOptions<T> {
  /** give up after this long (default 10 s) */
  timeoutMs?: number;
  /** pause between polls (default 10 ms) */
  intervalMs?: number;
  /** whether a value means "done"; default: anything but undefined, null and false */
  done?: (value: T | undefined | null | false) => boolean;
}

const notMissing = (value: unknown): boolean => value !== undefined && value !== null && value !== false;

/**
 * Polls `probe` until it returns a value that counts as done, and returns that value. A probe that
 * throws counts as "not yet". After the deadline it fails naming `what` and the last value or error.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: WaitOptions<T> = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 10;
  const done = options.done ?? notMissing;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (done(value)) return value as T;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${describeValue(last)})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describeValue(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value)?.slice(0, 500) ?? String(value);
  } catch {
    return String(value);
  }
}
