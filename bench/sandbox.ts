// SPDX-License-Identifier: Apache-2.0
// How fast and how big is the sandbox API server? Measured over real HTTPS with a keep-alive
// client, as kubectl and client-node talk to it:
//   - start: startSandbox() in a warm process (modules loaded), and a cold `seldon-lab sandbox`
//     process until it prints its export line (includes Node, tsx and module loading);
//   - create / get / list latency with 1 000 ConfigMaps stored;
//   - watch latency: from a write's response to the watch event arriving on an open stream;
//   - memory (RSS, heap) with 10 000 ConfigMaps stored.
// Targets: start <= 0.5 s, watch event <= 5 ms after the write, list of 1k <= 50 ms, <= 150 MB at 10k.
// The memory run has the controllers on (their informer caches are part of the sandbox's cost).
//
// usage: npx tsx bench/sandbox.ts [--objects 1000] [--memory-objects 10000] [--watch-events 200]
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { newContext } from '../lib/sandbox/apiserver/core.js';
import { startSandbox, type Sandbox } from '../lib/sandbox/index.js';
import { rawWatch } from '../lib/sandbox/testing.js';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '1000' }, 'memory-objects': { type: 'string', default: '10000' },
    'watch-events': { type: 'string', default: '200' }, 'memory-child': { type: 'string' },
  },
});
const OBJECTS = Number(values.objects);
const MEMORY_OBJECTS = Number(values['memory-objects']);
const WATCH_EVENTS = Number(values['watch-events']);

interface Row { what: string; samples: number[]; unit: string; target?: number }
const rows: Row[] = [];

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function call(s: Sandbox, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, s.url), {
      method, agent, ca: s.caPem,
      headers: { authorization: `Bearer ${s.token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'bench', shard: String(name.length % 7) } }, data: { 'config.yaml': 'replicas: 3\nimage: seldonio/sklearnserver:1.11\n'.repeat(4) } });

async function coldStart(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sandbox-'));
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import('./lib/sandbox/cli.ts').then(async (m) => process.exit(await m.main(['--port', '0', '--kubeconfig', ${JSON.stringify(join(dir, 'kc'))}])))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ready = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('export KUBECONFIG=')) resolve(performance.now() - started);
    });
    child.on('exit', (code) => reject(new Error(`the sandbox exited with ${code}: ${out}`)));
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
  return ready;
}

interface MemoryReport { baselineRssMB: number; rssMB: number; rssAfterListsMB: number; objectsHeapMB: number; listMs: number[] }

/** Runs this file with `--memory-child N` in a new process and reads its report. */
function memoryAt(objects: number): Promise<MemoryReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/sandbox.ts', '--memory-child', String(objects)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as MemoryReport) : reject(new Error(`memory run exited with ${code}`))));
  });
}

async function memoryChild(objects: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const m = await startSandbox();
  const type = m.core.resolve('', 'v1', 'configmaps');
  gc();
  const before = process.memoryUsage();
  for (let i = 0; i < objects; i++) m.core.create(type, 'default', configMap(`mem-${i}`), newContext({ fieldManager: 'bench' }));
  await new Promise((resolve) => setTimeout(resolve, 500)); // let the controllers' informers catch up
  gc();
  const filled = process.memoryUsage();
  const listMs: number[] = [];
  for (let i = 0; i < 5; i++) listMs.push(await timed(() => call(m, 'GET', '/api/v1/namespaces/default/configmaps')));
  gc();
  const after = process.memoryUsage();
  await m.stop();
  agent.destroy();
  process.stdout.write(JSON.stringify({
    baselineRssMB: before.rss / 2 ** 20, rssMB: filled.rss / 2 ** 20, rssAfterListsMB: after.rss / 2 ** 20,
    objectsHeapMB: (filled.heapUsed - before.heapUsed) / 2 ** 20, listMs,
  }));
}

async function main(): Promise<void> {
  // Start: warm (in this process, after a first start loaded everything) and cold (a new process).
  await (await startSandbox({ controllers: false })).stop();
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const s = await startSandbox({ controllers: false });
    warm.push(performance.now() - t);
    await s.stop();
  }
  rows.push({ what: 'start, warm process (startSandbox)', samples: warm, unit: 'ms', target: 500 });
  const warmWithControllers: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const s = await startSandbox();
    warmWithControllers.push(performance.now() - t);
    await s.stop();
  }
  rows.push({ what: 'start, warm process, with controllers', samples: warmWithControllers, unit: 'ms', target: 500 });
  rows.push({ what: 'start, cold `seldon-lab sandbox` process', samples: [await coldStart(), await coldStart()], unit: 'ms' });

  // Latency at 1k objects.
  const s = await startSandbox({ controllers: false });
  const base = '/api/v1/namespaces/default/configmaps';
  const creates: number[] = [];
  for (let i = 0; i < OBJECTS; i++) creates.push(await timed(() => call(s, 'POST', base, configMap(`cm-${i}`))));
  rows.push({ what: `create (${OBJECTS} sequential)`, samples: creates, unit: 'ms' });
  const gets: number[] = [];
  for (let i = 0; i < 500; i++) gets.push(await timed(() => call(s, 'GET', `${base}/cm-${(i * 7919) % OBJECTS}`)));
  rows.push({ what: `get (with ${OBJECTS} stored)`, samples: gets, unit: 'ms' });
  const lists: number[] = [];
  for (let i = 0; i < 30; i++) lists.push(await timed(() => call(s, 'GET', base)));
  rows.push({ what: `list of ${OBJECTS + 1} objects`, samples: lists, unit: 'ms', target: 50 });
  const selected: number[] = [];
  for (let i = 0; i < 30; i++) selected.push(await timed(() => call(s, 'GET', `${base}?labelSelector=shard%3D3`)));
  rows.push({ what: `list with a label selector (of ${OBJECTS})`, samples: selected, unit: 'ms' });

  // Watch latency: the write's response, then the event on an open watch.
  const rv = JSON.parse((await call(s, 'GET', `${base}?limit=1`)).text).metadata.resourceVersion as string;
  const watch = await rawWatch(s, `${base}?watch=true&resourceVersion=${rv}`);
  const afterResponse: number[] = [];
  const afterSend: number[] = [];
  for (let i = 0; i < WATCH_EVENTS; i++) {
    const sent = performance.now();
    const eventArrived = watch.next().then(() => performance.now());
    const patched = await new Promise<number>((resolve, reject) => {
      const body = Buffer.from(JSON.stringify({ data: { n: String(i) } }));
      const req = request(new URL(`${base}/cm-${i}`, s.url), { method: 'PATCH', agent, ca: s.caPem, headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/merge-patch+json', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now()));
      });
      req.on('error', reject);
      req.end(body);
    });
    const arrived = await eventArrived;
    afterResponse.push(Math.max(0, arrived - patched));
    afterSend.push(arrived - sent);
  }
  watch.close();
  rows.push({ what: 'watch event after the write’s response', samples: afterResponse, unit: 'ms', target: 5 });
  rows.push({ what: 'watch event after the write was sent', samples: afterSend, unit: 'ms' });
  await s.stop();

  // Memory at 10k objects, in a process of its own (this one has run everything above): the
  // objects are written in-process (same store and code path as HTTPS, faster to fill), then
  // listed once over HTTPS.
  const memory = await memoryAt(MEMORY_OBJECTS);
  rows.push({ what: `list of ${MEMORY_OBJECTS} objects`, samples: memory.listMs, unit: 'ms' });
  rows.push({ what: 'RSS of an empty sandbox (Node, tsx, modules)', samples: [memory.baselineRssMB], unit: 'MB' });
  rows.push({ what: `RSS with ${MEMORY_OBJECTS} objects (whole process)`, samples: [memory.rssMB], unit: 'MB', target: 150 });
  rows.push({ what: `RSS after listing them 5 times over HTTPS`, samples: [memory.rssAfterListsMB], unit: 'MB' });
  rows.push({ what: `heap used by ${MEMORY_OBJECTS} objects (difference)`, samples: [memory.objectsHeapMB], unit: 'MB' });
  agent.destroy();

  console.log(`sandbox benchmark (node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')})\n`);
  const width = Math.max(...rows.map((r) => r.what.length));
  console.log(`${'measure'.padEnd(width)}  ${'p50'.padStart(9)}  ${'p99'.padStart(9)}  ${'max'.padStart(9)}  target`);
  for (const r of rows) {
    const sorted = [...r.samples].sort((a, b) => a - b);
    const f = (v: number): string => `${v.toFixed(v < 10 ? 2 : 1)} ${r.unit}`.padStart(9);
    const verdict = r.target === undefined ? '' : quantile(sorted, 0.5) <= r.target ? `<= ${r.target} ${r.unit} ok` : `<= ${r.target} ${r.unit} MISSED`;
    console.log(`${r.what.padEnd(width)}  ${f(quantile(sorted, 0.5))}  ${f(quantile(sorted, 0.99))}  ${f(sorted[sorted.length - 1])}  ${verdict}`);
  }
}

(values['memory-child'] ? memoryChild(Number(values['memory-child'])) : main()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
