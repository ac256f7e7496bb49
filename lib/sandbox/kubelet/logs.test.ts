// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { ApiError } from '../apiserver/status.js';
import { ContainerLog, LogStore, logContainerID, logContainerName, rfc3339Nano, streamLog } from './logs.js';
import type { ContainerStatus } from './status.js';
import { readAllText } from './testing/cluster.js';

const read = (log: ContainerLog, options: Record<string, unknown> = {}) => readAllText(streamLog(log, { namespace: 'default', pod: 'p', ...options }));

describe('ContainerLog', () => {
  it('keeps lines of both streams in order, and an unterminated last line', async () => {
    const log = new ContainerLog();
    log.append('stdout', 'one\ntw');
    log.append('stderr', 'oops\n');
    log.append('stdout', 'o\nthree');
    log.close();
    expect(await read(log)).toBe('one\noops\ntwo\nthree');
  });

  it('drops the oldest lines when full', async () => {
    const log = new ContainerLog(20);
    for (let i = 0; i < 10; i++) log.append('stdout', `line ${i}\n`);
    expect(await read(log)).toBe('line 8\nline 9\n');
  });

  it('serves --tail, --timestamps and --limit-bytes', async () => {
    const log = new ContainerLog();
    log.append('stdout', 'a\nb\nc\n');
    expect(await read(log, { tailLines: 2 })).toBe('b\nc\n');
    expect(await read(log, { tailLines: 0 })).toBe('');
    expect(await read(log, { limitBytes: 3 })).toBe('a\nb');
    expect(await read(log, { timestamps: true })).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z a\n/);
    expect(await read(log, { sinceTime: '2999-01-01T00:00:00Z' })).toBe('');
  });

  it('follows new lines until the instance ends', async () => {
    const log = new ContainerLog();
    log.append('stdout', 'first\n');
    const stream = streamLog(log, { namespace: 'default', pod: 'p', follow: true });
    const text = readAllText(stream);
    log.append('stdout', 'second\n');
    log.close();
    expect(await text).toBe('first\nsecond\n');
  });

  it('formats times as RFC 3339 with nanoseconds, trailing zeros dropped', () => {
    expect(rfc3339Nano(1_700_000_000_123_456_789n)).toBe('2023-11-14T22:13:20.123456789Z');
    expect(rfc3339Nano(1_700_000_000_500_000_000n)).toBe('2023-11-14T22:13:20.5Z');
    expect(rfc3339Nano(1_700_000_000_000_000_000n)).toBe('2023-11-14T22:13:20Z');
  });
});

it('keeps two instances per container', () => {
  const store = new LogStore();
  store.begin('uid', 'c', 'id1');
  store.begin('uid', 'c', 'id2');
  store.begin('uid', 'c', 'id3');
  expect(store.find('uid', 'c', 'id1')).toBeUndefined();
  expect(store.find('uid', 'c', 'id3')).toBeDefined();
  store.drop('uid');
  expect(store.find('uid', 'c', 'id3')).toBeUndefined();
});

describe('which container and instance a request reads', () => {
  const pod = { metadata: { name: 'p' }, spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'a' }, { name: 'b' }] } };
  const message = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      return `${(error as ApiError).code} ${(error as Error).message}`;
    }
    return 'no error';
  };

  it('needs a container name when the pod has several', () => {
    expect(message(() => logContainerName(pod, undefined))).toBe('400 a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [init]');
    expect(message(() => logContainerName(pod, 'zz'))).toBe('400 container zz is not valid for pod p');
    expect(logContainerName(pod, 'init')).toBe('init');
  });

  const st = (state: ContainerStatus['state'], lastState: ContainerStatus['lastState'] = {}, containerID?: string): ContainerStatus => ({
    name: 'a', state, lastState, ready: false, restartCount: 0, image: '', imageID: '', containerID,
  });
  const term = (containerID: string) => ({ terminated: { exitCode: 1, reason: 'Error', finishedAt: 't', containerID } });

  it('reads the running instance, or the one that just ended', () => {
    expect(logContainerID(st({ running: { startedAt: 't' } }, term('old'), 'new'), 'a', 'p', false)).toBe('new');
    expect(logContainerID(st({ running: { startedAt: 't' } }, term('old'), 'new'), 'a', 'p', true)).toBe('old');
    expect(logContainerID(st({ waiting: { reason: 'CrashLoopBackOff' } }, term('last'), 'last'), 'a', 'p', false)).toBe('last');
  });

  it("explains why there is nothing to read, as the kubelet does", () => {
    expect(message(() => logContainerID(st({ waiting: { reason: 'ContainerCreating' } }), 'a', 'p', false))).toBe('400 container "a" in pod "p" is waiting to start: ContainerCreating');
    expect(message(() => logContainerID(st({ waiting: { reason: 'ImagePullBackOff' } }), 'a', 'p', false))).toBe('400 container "a" in pod "p" is waiting to start: trying and failing to pull image');
    expect(message(() => logContainerID(st({ running: { startedAt: 't' } }, {}, 'x'), 'a', 'p', true))).toBe('400 previous terminated container "a" in pod "p" not found');
  });
});
