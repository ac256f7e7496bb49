// SPDX-License-Identifier: Apache-2.0
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { randomOctet, startHttpServer } from '../network/testing/wait.js';
import { ProbeWorker, runCheck, type ProbeTarget } from './probes.js';
import { waitFor } from './testing/cluster.js';

const host = `127.4.${randomOctet()}.${randomOctet()}`;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const target = (exec?: ProbeTarget['exec']): ProbeTarget => ({
  podIP: host,
  ports: [{ name: 'http', containerPort: 8080 }],
  exec: exec ?? (async () => ({ exitCode: 0, output: '', timedOut: false })),
});

describe('httpGet', () => {
  it('passes on 2xx and 3xx, fails on 4xx and 5xx, with the kubelet headers', async () => {
    let seen: Record<string, unknown> = {};
    const server = await startHttpServer((req, res) => {
      seen = { ua: req.headers['user-agent'], custom: req.headers['x-check'] };
      res.writeHead(req.url === '/ok' ? 200 : req.url === '/moved' ? 302 : 503).end();
    }, host);
    closers.push(server.close);
    const get = (path: string) => runCheck({ httpGet: { path, port: server.port, httpHeaders: [{ name: 'X-Check', value: '1' }] } }, target(), 1000);
    expect(await get('/ok')).toEqual({ ok: true });
    expect(seen).toEqual({ ua: 'kube-probe/1.30', custom: '1' });
    expect(await get('/moved')).toEqual({ ok: true });
    expect(await get('/down')).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 503' });
  });

  it("words a refused connection and a hang as Go's HTTP client does", async () => {
    const refused = await runCheck({ httpGet: { path: '/healthz', port: 1 } }, target(), 1000);
    expect(refused).toEqual({ ok: false, message: `Get "http://${host}:1/healthz": dial tcp ${host}:1: connect: connection refused` });
    // A listener that reads requests and never answers: the probe must give up at its timeout.
    const silent: Server = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(0, host, resolve));
    closers.push(() => new Promise((resolve) => { silent.close(() => resolve()); }));
    const port = (silent.address() as { port: number }).port;
    const hung = await runCheck({ httpGet: { path: '/', port } }, target(), 200);
    expect(hung).toEqual({ ok: false, message: `Get "http://${host}:${port}/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
  });

  it('resolves named ports', async () => {
    expect(await runCheck({ httpGet: { path: '/', port: 'metrics' } }, target(), 100)).toMatchObject({ ok: false, message: expect.stringContaining('unable to find port named "metrics"') });
  });
});

it('tcpSocket passes when a connection opens', async () => {
  const server = await startHttpServer((_req, res) => res.end(), host);
  closers.push(server.close);
  expect(await runCheck({ tcpSocket: { port: server.port } }, target(), 1000)).toEqual({ ok: true });
  expect(await runCheck({ tcpSocket: { port: 1 } }, target(), 1000)).toEqual({ ok: false, message: `dial tcp ${host}:1: connect: connection refused` });
});

it('exec passes on exit 0, reports the output otherwise, and a timeout by name', async () => {
  const results = [
    { exitCode: 0, output: '', timedOut: false },
    { exitCode: 1, output: "cat: can't open '/tmp/healthy': No such file or directory\n", timedOut: false },
    { exitCode: 137, output: '', timedOut: true },
  ];
  const t = target(async () => results.shift()!);
  const probe = { exec: { command: ['cat', '/tmp/healthy'] } };
  expect(await runCheck(probe, t, 1000)).toEqual({ ok: true });
  expect(await runCheck(probe, t, 1000)).toEqual({ ok: false, message: "cat: can't open '/tmp/healthy': No such file or directory\n" });
  expect(await runCheck(probe, t, 1000)).toEqual({ ok: false, message: 'command "cat /tmp/healthy" timed out' });
});

describe('ProbeWorker', () => {
  function scripted(outcomes: boolean[]) {
    let runs = 0;
    const exec: ProbeTarget['exec'] = async () => {
      const ok = outcomes[Math.min(runs, outcomes.length - 1)];
      runs++;
      return { exitCode: ok ? 0 : 1, output: 'no', timedOut: false };
    };
    return { target: target(exec), runs: () => runs };
  }

  it('flips readiness only after successThreshold successes and failureThreshold failures in a row', async () => {
    const script = scripted([false, true, true, false, true, false, false, false, false]);
    const results: boolean[] = [];
    const worker = new ProbeWorker('readiness', { exec: { command: ['x'] }, periodSeconds: 1, successThreshold: 2, failureThreshold: 3 }, script.target, 0.001, (ok) => results.push(ok), () => {});
    expect(worker.result).toBe(false);
    worker.start();
    await waitFor('nine probe runs', () => script.runs() >= 9);
    worker.stop();
    // runs: F T T(→ready) F T F F F(→not ready) F
    expect(results).toEqual([true, false]);
  });

  it('starts liveness healthy and reports each failure', async () => {
    const script = scripted([false]);
    const failures: number[] = [];
    const results: boolean[] = [];
    const worker = new ProbeWorker('liveness', { exec: { command: ['x'] }, periodSeconds: 1, failureThreshold: 2 }, script.target, 0.001, (ok) => results.push(ok), (_m, n) => failures.push(n));
    expect(worker.result).toBe(true);
    worker.start();
    await waitFor('the liveness probe to fail', () => results.length > 0);
    worker.stop();
    expect(results).toEqual([false]);
    expect(failures.slice(0, 2)).toEqual([1, 2]);
  });

  it('waits initialDelaySeconds before the first run', async () => {
    const script = scripted([true]);
    const worker = new ProbeWorker('readiness', { exec: { command: ['x'] }, initialDelaySeconds: 3600 }, script.target, 0.001, () => {}, () => {});
    worker.start();
    // 3600 s scaled is 3.6 s: no run can have happened yet when the first event loop turns are over.
    await new Promise((resolve) => setImmediate(resolve));
    expect(script.runs()).toBe(0);
    worker.stop();
  });
});
