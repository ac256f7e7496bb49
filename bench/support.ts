// SPDX-License-Identifier: Apache-2.0
// What the benchmarks share: the seed's request, servers started in processes of their own,
// autocannon runs that take turns between targets, and the statistics their tables print.
//
// Why processes of their own: a load generator and the server it measures must not share an
// event loop, or each one's work shows up in the other's numbers. So a benchmark starts its own
// file again with `--role <name>`; the child starts one server on a free port and announces it
// with a line `port <n> <what it is>`, which startRole() waits for.
//
// Why take turns: the machine is shared, so every target gets several short rounds in turn and
// the median round of each is reported. A burst of someone else's work then spoils one round of
// each target, not the whole result of one of them.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';
import { fromRoot } from '../lib/paths.js';
import type { SeldonModel } from '../lib/server/model.js';

/** The seed's request body, for Seldon's `POST /api/v1.0/predictions`. */
export const SEED_REQUEST = '{"data":{"ndarray":[[1,2,3,4]]}}';
export const PREDICTIONS_PATH = '/api/v1.0/predictions';

// --- statistics ---------------------------------------------------------------------------------

/** The q-quantile of `samples` by nearest rank: always one of the samples, never an average of two. */
export function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1))];
}

export function median(samples: number[]): number {
  return quantile(samples, 0.5);
}

/** Runs `fn` and returns how long it took, in ms, with its value. */
export async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

/** Node's version, the CPUs and the load average: numbers from a busy or small machine say so. */
export function machine(): string {
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  return `Node ${process.version}, ${cpus().length} CPUs, load average ${load}`;
}

// --- servers in processes of their own ----------------------------------------------------------

export interface RoleProcess {
  child: ChildProcess;
  port: number;
  /** What the child said it serves (a stand-in, when the real server could not start). */
  what: string;
}

/** In a child: tells the parent where the server listens and what it is. */
export function announce(port: number, what: string): void {
  console.log(`port ${port} ${what}`);
}

/** Starts `bench/<script>` with `args` in a new process, and waits until it announces its port. */
export function startRole(script: string, args: string[]): Promise<RoleProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fromRoot('bench', script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SELDON_LAB_ROOT: fromRoot() },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /^port (\d+) (.*)$/m.exec(out);
      if (match) resolve({ child, port: Number(match[1]), what: match[2] });
    });
    child.on('exit', (code) => reject(new Error(`bench/${script} ${args.join(' ')} exited with code ${code} before it announced its port`)));
  });
}

/**
 * In a child: Seldon's iris model (SKLEARN_SERVER, model.joblib from the offline store) behind the
 * model server on a free port of 127.0.0.1, announced. Where that model cannot load, the linear
 * stand-in with the same coefficients serves instead, and the announcement says so.
 */
export async function serveIrisModel(deploymentName: string): Promise<void> {
  // Imported here, not at the top: the benchmarks that serve no model do not load the server.
  const { createModel } = await import('../lib/server/runtimes/index.js');
  const { startModelServer } = await import('../lib/server/server.js');
  const { resolveModelUri } = await import('../lib/server/storage/index.js');
  const { IrisLinearModel } = await import('../lib/server/testing/models.js');
  let model: SeldonModel;
  let what: string;
  try {
    model = await createModel({ implementation: 'SKLEARN_SERVER', modelDir: await resolveModelUri('gs://seldon-models/v1.11.0-dev/sklearn/iris') });
    what = 'SKLEARN_SERVER iris (model.joblib from the offline store)';
  } catch (error) {
    model = new IrisLinearModel();
    what = `linear iris stand-in (SKLEARN_SERVER unavailable: ${(error as Error).message.split('\n')[0]})`;
  }
  const unit = { unitId: 'classifier', image: 'seldonio/sklearnserver:1.11.0', predictorName: 'default', deploymentName };
  const server = await startModelServer({ model, port: 0, host: '127.0.0.1', unit, log: { info() {}, warn() {}, error() {} } });
  announce(server.port, what);
}

// --- load ---------------------------------------------------------------------------------------

/** Sends the seed's request once and returns the answer's body; anything but HTTP 200 is an error. */
export async function predict(url: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: SEED_REQUEST });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text}`);
  return text;
}

/** autocannon: the seed's request to `url` from `connections` connections for `seconds` seconds. */
export function load(url: string, connections: number, seconds: number): Promise<autocannon.Result> {
  return autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: SEED_REQUEST, connections, duration: seconds });
}

/** The median round of one target. */
export interface LoadSummary {
  rps: number;
  /** latency in ms (autocannon measures whole milliseconds) */
  p50: number;
  p99: number;
  /** over all rounds: failed connections (timeouts included) and answers other than 2xx */
  errors: number;
}

/**
 * Loads each of `urls` for 1 s to warm it up, then for `rounds` rounds of `seconds` each, in
 * turn, and summarises each target by its median round. `measure` wraps each round (not the
 * warm-up), for a benchmark that also measures something around it.
 */
export async function alternate<N extends string>(
  urls: Record<N, string>,
  options: { connections: number; seconds: number; rounds: number },
  measure: (name: N, run: () => Promise<autocannon.Result>) => Promise<autocannon.Result> = (_name, run) => run(),
): Promise<Record<N, LoadSummary>> {
  const names = Object.keys(urls) as N[];
  for (const name of names) await load(urls[name], options.connections, 1);
  const results = new Map<N, autocannon.Result[]>(names.map((name) => [name, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (const name of names) results.get(name)!.push(await measure(name, () => load(urls[name], options.connections, options.seconds)));
  }
  const summaries = {} as Record<N, LoadSummary>;
  for (const [name, rs] of results) {
    summaries[name] = {
      rps: median(rs.map((r) => r.requests.average)),
      p50: median(rs.map((r) => r.latency.p50)),
      p99: median(rs.map((r) => r.latency.p99)),
      errors: rs.reduce((n, r) => n + r.errors + r.non2xx, 0),
    };
  }
  return summaries;
}

/** The table columns of a LoadSummary, and their heading. */
export const LOAD_HEADING = `${'req/s'.padStart(7)}  ${'p50 ms'.padStart(6)}  ${'p99 ms'.padStart(6)}  ${'errors'.padStart(6)}`;
export function loadColumns(s: LoadSummary): string {
  return `${s.rps.toFixed(0).padStart(7)}  ${s.p50.toFixed(2).padStart(6)}  ${s.p99.toFixed(2).padStart(6)}  ${String(s.errors).padStart(6)}`;
}
