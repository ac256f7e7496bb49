// SPDX-License-Identifier: Apache-2.0
// Waiting for a condition: look, say what was seen when it changes, look again after a pause,
// give up at a deadline with the last thing seen. Never a fixed sleep: the wait ends the moment
// the condition holds, and a condition that can no longer come true (`blocked`) ends it at once.
import type { Verdict } from './readiness.js';

export interface PollOptions {
  /** what is being waited for, for messages: "the operator to be ready" */
  what: string;
  /** one look at the world */
  check: () => Promise<Verdict>;
  timeoutMs: number;
  /** pause between looks (default 2 s) */
  intervalMs?: number;
  /** called with each new summary (not repeated while nothing changes) */
  onProgress?: (summary: string) => void;
  /** for tests: the clock and the pause */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The wait ended without the condition: `last` is what was seen last. */
export class PollError extends Error {
  constructor(
    message: string,
    readonly last: Verdict | undefined,
    readonly blocked: boolean,
  ) {
    super(message);
    this.name = 'PollError';
  }
}

export async function pollUntil(options: PollOptions): Promise<Verdict> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.timeoutMs;
  let last: Verdict | undefined;
  let lastError: Error | undefined;
  for (;;) {
    try {
      const verdict = await options.check();
      lastError = undefined;
      if (verdict.summary !== last?.summary) options.onProgress?.(verdict.summary);
      last = verdict;
      if (verdict.ready) return verdict;
      if (verdict.blocked) throw new PollError(`Gave up waiting for ${options.what}: ${verdict.blocked}`, verdict, true);
    } catch (error) {
      if (error instanceof PollError) throw error;
      // A failed look (the API server restarting, a CRD not served yet) is a reason to look again.
      if (lastError?.message !== (error as Error).message) options.onProgress?.(`(${(error as Error).message.split('\n')[0]})`);
      lastError = error as Error;
    }
    if (now() >= deadline) {
      const seen = last ? `last seen: ${last.summary}` : lastError ? `last error: ${lastError.message.split('\n')[0]}` : 'nothing seen';
      throw new PollError(`Timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what} (${seen})`, last, false);
    }
    await sleep(Math.min(options.intervalMs ?? 2000, Math.max(0, deadline - now())));
  }
}
