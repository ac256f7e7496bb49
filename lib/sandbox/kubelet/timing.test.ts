// SPDX-License-Identifier: Apache-2.0
import { expect, it } from 'vitest';
import { Backoff, checkTimeScale, scaledMs } from './timing.js';

it('scales Kubernetes seconds to real milliseconds, with a floor', () => {
  expect(scaledMs(20, 1)).toBe(20_000);
  expect(scaledMs(20, 0.02)).toBe(400);
  expect(scaledMs(1, 0.001)).toBe(10);
  expect(scaledMs(0, 0.5)).toBe(0);
  expect(() => checkTimeScale(0)).toThrow(/above 0 and at most 1/);
  expect(() => checkTimeScale(2)).toThrow(/above 0 and at most 1/);
});

it("follows the kubelet's crash back-off: none, then 10 s doubling up to 5 min", () => {
  let clock = 1_000_000;
  const backoff = new Backoff(10_000, 300_000, () => clock);
  const key = 'pod/c';
  // The first crash restarts at once.
  expect(backoff.remaining(key, clock)).toBe(0);
  const delays = [];
  for (let i = 0; i < 7; i++) {
    delays.push(backoff.next(key, clock));
    expect(backoff.remaining(key, clock)).toBe(delays[i]);
    clock += delays[i];
    expect(backoff.remaining(key, clock - delays[i])).toBe(0);
  }
  expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
});

it('forgets a container that has not failed for twice the maximum', () => {
  let clock = 0;
  const backoff = new Backoff(10, 100, () => clock);
  backoff.next('k', clock);
  backoff.next('k', clock);
  expect(backoff.delay('k')).toBe(20);
  clock += 201;
  expect(backoff.next('k', clock)).toBe(10);
});
