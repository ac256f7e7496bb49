// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { ExponentialBackoff, WorkQueue } from './workqueue.js';
import { eventually } from '../sandbox/controllers/testing/cluster.js';

describe('WorkQueue', () => {
  it('stores a key once however often it is added', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands a key being processed to a second worker, and re-queues it when done if added meanwhile', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    q.add('a'); // a new event while a worker holds the key
    expect(q.length).toBe(0);
    q.done(key!);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('a');
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.add('x');
    await expect(waiting).resolves.toBe('x');
    expect(q.idle).toBe(false);
    q.done('x');
    expect(q.idle).toBe(true);
  });

  it('adds after a delay, keeping the earliest of several delays for a key', async () => {
    const q = new WorkQueue();
    q.addAfter('k', 60_000);
    q.addAfter('k', 5);
    await eventually('the delayed key', () => q.length === 1);
    expect(await q.get()).toBe('k');
  });

  it('shutDown releases blocked workers and ignores later adds', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutDown();
    await expect(waiting).resolves.toBeUndefined();
    q.add('late');
    await expect(q.get()).resolves.toBeUndefined();
  });
});

describe('ExponentialBackoff', () => {
  it('doubles per failure up to the maximum, and forget() starts over', () => {
    const b = new ExponentialBackoff(5, 30);
    expect([b.when('k'), b.when('k'), b.when('k'), b.when('k')]).toEqual([5, 10, 20, 30]);
    expect(b.retries('k')).toBe(4);
    expect(b.when('other')).toBe(5);
    b.forget('k');
    expect(b.when('k')).toBe(5);
  });
});
