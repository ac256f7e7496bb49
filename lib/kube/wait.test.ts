// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { waitFor } from './wait.js';

describe('waitFor', () => {
  it('returns the first value that counts as done, treating throws as "not yet"', async () => {
    let calls = 0;
    const value = await waitFor('the third call', () => {
      calls++;
      if (calls === 1) throw new Error('not ready');
      return calls === 3 ? 'ready' : undefined;
    });
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('counts 0 and "" as values by default, and follows `done` when given', async () => {
    expect(await waitFor('zero', () => 0)).toBe(0);
    let n = 0;
    expect(await waitFor('a truthy count', () => n++, { done: Boolean })).toBe(1);
  });

  it('fails after the deadline naming what it waited for and the last thing seen', async () => {
    await expect(waitFor('the moon', () => { throw new Error('still dark'); }, { timeoutMs: 30 })).rejects.toThrow(
      /timed out after 30 ms waiting for the moon \(last: still dark\)/,
    );
  });
});
