// SPDX-License-Identifier: Apache-2.0
// pollUntil with a fake clock: no real waiting, and the timing rules checked exactly.
import { describe, expect, it } from 'vitest';
import { PollError, pollUntil } from './poll.js';
import type { Verdict } from './readiness.js';

function fakeClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => { t += ms; }, get time() { return t; } };
}

describe('pollUntil', () => {
  it('returns as soon as the check is ready, reporting each new summary once', async () => {
    const clock = fakeClock();
    const answers: Verdict[] = [
      { ready: false, summary: '0/1 ready' }, { ready: false, summary: '0/1 ready' }, { ready: false, summary: '0/1 ready; p: ContainerCreating' }, { ready: true, summary: '1/1 ready' },
    ];
    const seen: string[] = [];
    const v = await pollUntil({ what: 'x', check: async () => answers.shift()!, timeoutMs: 60_000, intervalMs: 1000, onProgress: (s) => seen.push(s), ...clock });
    expect(v.summary).toBe('1/1 ready');
    expect(seen).toEqual(['0/1 ready', '0/1 ready; p: ContainerCreating', '1/1 ready']);
    expect(clock.time).toBe(3000);
  });

  it('gives up at the deadline with the last thing seen', async () => {
    const clock = fakeClock();
    const error = await pollUntil({ what: 'the operator to be ready', check: async () => ({ ready: false, summary: '0/1 ready' }), timeoutMs: 10_000, intervalMs: 3000, ...clock }).catch((e) => e);
    expect(error).toBeInstanceOf(PollError);
    expect(error.message).toBe('Timed out after 10 s waiting for the operator to be ready (last seen: 0/1 ready)');
    expect(error.blocked).toBe(false);
    expect(clock.time).toBe(10_000);
  });

  it('stops at once when waiting cannot help', async () => {
    const clock = fakeClock();
    const error = await pollUntil({ what: 'w', check: async () => ({ ready: false, summary: 's', blocked: 'the image is missing' }), timeoutMs: 60_000, ...clock }).catch((e) => e);
    expect(error.message).toBe('Gave up waiting for w: the image is missing');
    expect(error.blocked).toBe(true);
    expect(clock.time).toBe(0);
  });

  it('looks again after a failed look, and reports the error once', async () => {
    const clock = fakeClock();
    let calls = 0;
    const seen: string[] = [];
    const v = await pollUntil({
      what: 'w', timeoutMs: 60_000, intervalMs: 500, onProgress: (s) => seen.push(s), ...clock,
      check: async () => {
        calls++;
        if (calls < 3) throw new Error('connection refused\nmore detail');
        return { ready: true, summary: 'up' };
      },
    });
    expect(v.ready).toBe(true);
    expect(seen).toEqual(['(connection refused)', 'up']);
  });

  it('names the last error when nothing was ever seen', async () => {
    const clock = fakeClock();
    const error = await pollUntil({ what: 'w', check: async () => { throw new Error('no route to host'); }, timeoutMs: 2000, intervalMs: 1000, ...clock }).catch((e) => e);
    expect(error.message).toContain('(last error: no route to host)');
  });
});
