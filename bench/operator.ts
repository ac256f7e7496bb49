// SPDX-License-Identifier: Apache-2.0
// How fast and how big is the operator? On the sandbox cluster (its controllers on, pods marked
// ready at once, so what is measured is the operator and the API, not model loading):
//   - one SeldonDeployment (the seed's sample.yaml) created -> status Available, median of 5;
//   - 200 SeldonDeployments created at once -> all Available; then all deleted -> every child
//     Deployment, Service and Mapping gone (the garbage collector's part included);
//   - API writes per idle reconcile: every SeldonDeployment reconciled again with nothing changed
//     (counted by the operator and, independently, in the API server's request log);
//   - the operator's resident memory (RSS): with no SeldonDeployments, with 205, and at its peak.
// Targets (issue 6): Available <= 2 s; 200 Available <= 30 s; 0 writes per idle reconcile; RSS <= 100 MB.
//
// The operator runs in a child process of its own (bench/operator-child.ts), so its memory is its
// own and it shares no event loop with the API server it talks to. It runs three ways, each
// against a fresh sandbox:
//   image   bundled by cluster/images/operator-bundle.ts and started with its V8 flags and
//           environment, as the container image runs it: the targets are checked on this one;
//   bundle  the same bundle without them: what they save, and what they cost;
//   tsx     from the TypeScript sources through tsx, as `seldon-lab operator` runs on a laptop.
// For scale, the same run measures the floor that issue 6 names: a bare `node` importing
// @kubernetes/client-node, and nothing else.
//
// usage: npx tsx bench/operator.ts [--count 200] [--single 5] [--runners image,bundle,tsx] [--strict]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { buildOperatorBundle, OPERATOR_ENV, OPERATOR_NODE_FLAGS } from '../cluster/images/operator-bundle.js';
import { fromRoot } from '../lib/paths.js';
import { sampleManifest } from '../lib/operator/testing/fixtures.js';
import { SELDON, startTestCluster, waitFor, writesIn, type TestCluster } from '../lib/operator/testing/sandbox-cluster.js';
import type { SeldonDeployment } from '../lib/operator/types.js';
import type { ChildStats } from './operator-child.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    single: { type: 'string', default: '5' },
    runners: { type: 'string', default: 'image,bundle,tsx' },
    strict: { type: 'boolean', default: false },
  },
});

// --- how the operator is started ----------------------------------------------------------------

interface Runner {
  name: string;
  describe: string;
  /** node's arguments before `--kubeconfig FILE` */
  args: string[];
  /** environment added to the bench's own */
  env?: Record<string, string>;
}

function runners(names: string[], bundle: string | undefined): Runner[] {
  const all: Record<string, () => Runner> = {
    image: () => ({
      name: 'image',
      describe: `bundle, ${[...OPERATOR_NODE_FLAGS, ...Object.entries(OPERATOR_ENV).map(([k, v]) => `${k}=${v}`)].join(' ')} (as the container image)`,
      args: [...OPERATOR_NODE_FLAGS, '--expose-gc', bundle!],
      env: OPERATOR_ENV,
    }),
    bundle: () => ({ name: 'bundle', describe: 'bundle, no V8 flags, no image environment', args: ['--expose-gc', bundle!] }),
    tsx: () => ({ name: 'tsx', describe: 'TypeScript sources through tsx', args: ['--expose-gc', '--import', 'tsx', fromRoot('bench', 'operator-child.ts')] }),
  };
  return names.map((name) => {
    if (!all[name]) throw new Error(`unknown runner ${JSON.stringify(name)}: choose from ${Object.keys(all).join(', ')}`);
    return all[name]();
  });
}

class OperatorProcess {
  private readonly waiting: ((line: string) => void)[] = [];
  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.waiting.shift()?.(line));
  }
  static start(runner: Runner, kubeconfig: string): OperatorProcess {
    // Only the image runner gets the image's environment, even if the bench's shell has it.
    const env: NodeJS.ProcessEnv = { ...process.env, SELDON_LAB_ROOT: fromRoot() };
    for (const name of Object.keys(OPERATOR_ENV)) delete env[name];
    const child = spawn(process.execPath, [...runner.args, '--kubeconfig', kubeconfig], {
      cwd: fromRoot(),
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...env, ...runner.env },
    });
    return new OperatorProcess(child);
  }
  private ask(command: string): Promise<ChildStats> {
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null) return reject(new Error(`the operator exited with ${this.child.exitCode}`));
      this.waiting.push((line) => resolve(JSON.parse(line.slice(line.indexOf(' ') + 1)) as ChildStats));
      this.child.stdin!.write(`${command}\n`);
    });
  }
  stats = () => this.ask('stats');
  idle = () => this.ask('idle');
  stop = () => this.ask('stop');
  resync(): void {
    this.child.stdin!.write('resync\n');
  }
}

/** RSS of a bare node that imports client-node (issue 6's floor), or imports nothing. */
async function floor(what: 'node' | 'client-node'): Promise<number> {
  const load = what === 'client-node' ? "await import('@kubernetes/client-node');" : '';
  const { stdout } = await execa(process.execPath, ['--expose-gc', '--input-type=module', '-e', `${load} gc(); console.log(process.memoryUsage().rss);`], { cwd: fromRoot() });
  return Number(stdout);
}

// --- the scenario, against a fresh sandbox ------------------------------------------------------

/** Pins pods to the node when the sandbox's scheduler does not place them (and says so). */
let pinToNode: string | undefined;

function manifest(name: string): SeldonDeployment {
  const sdep = sampleManifest();
  sdep.metadata.name = name;
  if (pinToNode) sdep.spec.predictors[0].componentSpecs = [{ spec: { nodeName: pinToNode, containers: [{ name: 'classifier' }] } }];
  return sdep;
}

async function schedulerWorks(cluster: TestCluster): Promise<boolean> {
  await cluster.core.createNamespacedPod({ namespace: 'seldon', body: { metadata: { name: 'probe' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
  try {
    await waitFor('the probe pod to be scheduled', async () => !!(await cluster.core.readNamespacedPod({ namespace: 'seldon', name: 'probe' })).spec?.nodeName, 3000);
    return true;
  } catch {
    return false;
  } finally {
    await cluster.core.deleteNamespacedPod({ namespace: 'seldon', name: 'probe' }).catch(() => undefined);
  }
}

async function availableCount(cluster: TestCluster, prefix: string): Promise<number> {
  const list = (await cluster.custom.listNamespacedCustomObject({ ...SELDON, namespace: 'seldon' })) as { items: SeldonDeployment[] };
  return list.items.filter((s) => s.metadata.name!.startsWith(prefix) && s.status?.state === 'Available').length;
}

async function childrenLeft(cluster: TestCluster): Promise<number> {
  const selector = { namespace: 'seldon', labelSelector: 'seldon-deployment-id' };
  const [d, s, m] = await Promise.all([
    cluster.apps.listNamespacedDeployment(selector),
    cluster.core.listNamespacedService(selector),
    cluster.custom.listNamespacedCustomObject({ group: 'getambassador.io', version: 'v3alpha1', plural: 'mappings', ...selector }) as Promise<{ items: unknown[] }>,
  ]);
  return d.items.length + s.items.length + m.items.length;
}

/** Runs `tasks` with at most `width` at once. */
async function pool<T>(items: T[], width: number, task: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Result {
  rssEmpty: number;
  heapEmpty: number;
  single: number;
  all: number;
  created: number;
  reconciles: number;
  failures: number;
  cpuMs: number;
  benchCpuMs: number;
  idleReconciles: number;
  idleWrites: number;
  logWrites: number;
  idleReads: number;
  rssFull: number;
  heapFull: number;
  peakRss: number;
  deleted: number;
}

async function scenario(runner: Runner, COUNT: number, SINGLE: number): Promise<Result> {
  const cluster = await startTestCluster({ controllers: { readyPods: true } });
  pinToNode = undefined;
  if (!(await schedulerWorks(cluster))) {
    pinToNode = 'sandbox';
    console.log('note: the sandbox did not schedule a probe pod; pods are pinned to its node (spec.nodeName) to measure the operator');
  }
  const operator = OperatorProcess.start(runner, cluster.sandbox.kubeconfigPath);
  try {
    const empty = await operator.idle();

    // 1. One SeldonDeployment, created -> Available.
    const singles: number[] = [];
    for (let i = 0; i < SINGLE; i++) {
      const start = performance.now();
      await cluster.createSdep(manifest(`single-${i}`));
      await waitFor(`single-${i} Available`, async () => (await cluster.getSdep('seldon', `single-${i}`))?.status?.state === 'Available', 60_000);
      singles.push(performance.now() - start);
    }

    // 2. COUNT at once -> all Available.
    const names = Array.from({ length: COUNT }, (_, i) => `many-${i}`);
    const start = performance.now();
    const cpuBefore = (await operator.stats()).cpuMs;
    const parentCpu = process.cpuUsage();
    await pool(names, 16, (name) => cluster.createSdep(manifest(name)));
    const created = performance.now() - start;
    // Polled gently: listing 200 SeldonDeployments is work for the API server too.
    await waitFor(`${COUNT} Available`, async () => (await availableCount(cluster, 'many-')) === COUNT, 300_000, 250);
    const all = performance.now() - start;
    const busy = await operator.stats();
    const parent = process.cpuUsage(parentCpu);

    // 3. Idle reconciles: everything again, nothing changed.
    const before = await operator.idle();
    const logged = cluster.requests.length;
    operator.resync();
    const after = await operator.idle();
    const logWrites = writesIn(cluster.requests.slice(logged)).length;

    // 4. Delete them all -> every child gone.
    const delStart = performance.now();
    await pool([...names, ...Array.from({ length: SINGLE }, (_, i) => `single-${i}`)], 16, (name) =>
      cluster.custom.deleteNamespacedCustomObject({ ...SELDON, namespace: 'seldon', name }));
    await waitFor('every child to be gone', async () => (await childrenLeft(cluster)) === 0, 300_000, 100);
    const deleted = performance.now() - delStart;
    const last = await operator.stop();

    return {
      rssEmpty: empty.rss,
      heapEmpty: empty.heapUsed,
      single: median(singles),
      all,
      created,
      reconciles: busy.reconciles,
      failures: busy.failures,
      cpuMs: busy.cpuMs - cpuBefore,
      benchCpuMs: (parent.user + parent.system) / 1000,
      idleReconciles: after.reconciles - before.reconciles,
      idleWrites: after.writes - before.writes,
      logWrites,
      idleReads: after.reads - before.reads,
      rssFull: after.rss,
      heapFull: after.heapUsed,
      peakRss: last.peakRss,
      deleted,
    };
  } finally {
    if (operator.child.exitCode === null) operator.child.kill();
    await cluster.stop();
  }
}

// --- the report ---------------------------------------------------------------------------------

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const ms = (n: number) => `${n.toFixed(0)} ms`;

async function main(): Promise<number> {
  const COUNT = Number(values.count);
  const SINGLE = Number(values.single);
  const names = values.runners!.split(',').map((r) => r.trim()).filter(Boolean);
  const dir = mkdtempSync(join(tmpdir(), 'seldon-lab-bench-operator-'));
  try {
    const needsBundle = names.some((n) => n !== 'tsx');
    const bundle = needsBundle ? await buildOperatorBundle({ outdir: dir, entry: 'bench/operator-child.ts', fileName: 'operator-child.mjs' }) : undefined;
    if (bundle) console.log(`bundle: ${bundle.file} (${(bundle.bytes / 1024 / 1024).toFixed(1)} MB from ${bundle.inputs} files)`);
    const floors = { node: await floor('node'), clientNode: await floor('client-node') };
    console.log(`floor: bare node ${mb(floors.node)}, node importing @kubernetes/client-node ${mb(floors.clientNode)}`);

    const results = new Map<string, Result>();
    for (const runner of runners(names, bundle?.file)) {
      console.log(`\n${runner.name}: ${runner.describe}`);
      const r = await scenario(runner, COUNT, SINGLE);
      results.set(runner.name, r);
      console.log(`  RSS ${mb(r.rssEmpty)} with none, ${mb(r.rssFull)} with ${COUNT + SINGLE}, peak ${mb(r.peakRss)}; ${COUNT} Available in ${ms(r.all)}`);
    }

    // One column per runner; targets are checked on the first runner (the image, by default).
    const cols = [...results.keys()];
    const judged = results.get(cols[0])!;
    const total = COUNT + SINGLE;
    const rows: [string, (r: Result) => string, string, boolean | undefined][] = [
      ['operator RSS (heap used), no SeldonDeployments', (r) => `${mb(r.rssEmpty)} (${mb(r.heapEmpty)})`, '-', undefined],
      [`operator RSS (heap used), ${total} SeldonDeployments`, (r) => `${mb(r.rssFull)} (${mb(r.heapFull)})`, '<= 100 MB', judged.rssFull <= 100 * 1024 * 1024],
      ['operator peak RSS (the whole run)', (r) => mb(r.peakRss), '-', undefined],
      [`  / client-node floor (${mb(floors.clientNode)}), ${total} SeldonDeployments`, (r) => `${(r.rssFull / floors.clientNode).toFixed(2)}x`, '-', undefined],
      ['created -> Available (median)', (r) => ms(r.single), '<= 2000 ms', judged.single <= 2000],
      [`${COUNT} created -> all Available`, (r) => ms(r.all), '<= 30000 ms', judged.all <= 30_000],
      [`  of which the ${COUNT} creates`, (r) => ms(r.created), '-', undefined],
      [`reconciles for ${total} (failed and retried)`, (r) => `${r.reconciles} (${r.failures})`, '-', undefined],
      [`operator CPU for the ${COUNT}`, (r) => ms(r.cpuMs), '-', undefined],
      ['  sandbox and bench CPU meanwhile', (r) => ms(r.benchCpuMs), '-', undefined],
      ['API writes per idle reconcile (log)', (r) => `${(r.idleWrites / Math.max(r.idleReconciles, 1)).toFixed(2)} (${r.logWrites})`, '0', judged.idleWrites === 0 && judged.logWrites === 0],
      ['API reads per idle reconcile', (r) => (r.idleReads / Math.max(r.idleReconciles, 1)).toFixed(1), '-', undefined],
      [`${total} deleted -> all children gone`, (r) => ms(r.deleted), '-', undefined],
    ];
    const width = Math.max(...rows.map(([what]) => what.length));
    const cell = 16;
    console.log(`\noperator benchmark (sandbox, pods ready at once; targets checked on "${cols[0]}")`);
    console.log(`  ${''.padEnd(width)}  ${cols.map((c) => c.padStart(cell)).join('')}  target`);
    for (const [what, value, target, ok] of rows) {
      const verdict = ok === undefined ? '' : ok ? 'ok' : 'MISSED';
      console.log(`  ${what.padEnd(width)}  ${cols.map((c) => value(results.get(c)!).padStart(cell)).join('')}  ${target.padEnd(11)} ${verdict}`);
    }
    console.log(`  floor: bare node ${mb(floors.node)}; node + import('@kubernetes/client-node') ${mb(floors.clientNode)} (measured in this run)`);
    const missed = rows.filter(([, , , ok]) => ok === false).length;
    return values.strict && missed > 0 ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
