// SPDX-License-Identifier: Apache-2.0
// How fast and how big is the operator? On the sandbox cluster (its controllers on, pods marked
// ready at once, so what is measured is the operator and the API, not model loading):
//   - one SeldonDeployment (the seed's sample.yaml) created -> status Available, median of 5;
//   - 200 SeldonDeployments created at once -> all Available; then all deleted -> every child
//     Deployment, Service and Mapping gone (the garbage collector's part included);
//   - API writes per idle reconcile: every SeldonDeployment reconciled again with nothing changed
//     (counted by the operator and, independently, in the API server's request log);
//   - the operator's resident memory (RSS) with 200 SeldonDeployments.
// Targets (issue 6): Available <= 2 s; 200 Available <= 30 s; 0 writes per idle reconcile; RSS <= 100 MB.
//
// The operator runs in a child process of its own (as in its container), so its memory is its own
// and it shares no event loop with the API server it talks to.
//
// usage: npx tsx bench/operator.ts [--count 200] [--single 5] [--strict]
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { fromRoot } from '../lib/paths.js';
import { startOperator, type OperatorStats } from '../lib/operator/controller.js';
import { sampleManifest } from '../lib/operator/testing/fixtures.js';
import { SELDON, startTestCluster, waitFor, writesIn, type TestCluster } from '../lib/operator/testing/sandbox-cluster.js';
import type { SeldonDeployment } from '../lib/operator/types.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    kubeconfig: { type: 'string' },
    count: { type: 'string', default: '200' },
    single: { type: 'string', default: '5' },
    strict: { type: 'boolean', default: false },
  },
});

// --- the child: an operator that answers `stats`, `resync` and `idle` on stdin ------------------

async function operatorRole(kubeconfig: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const operator = startOperator({ kubeConfig: kc, log: () => {} });
  const reply = (what: string, data: unknown) => console.log(`${what} ${JSON.stringify(data)}`);
  const stats = () => {
    // Collect garbage first, so the numbers say what the operator keeps, not what it has not freed yet.
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    const cpu = process.cpuUsage();
    return { ...operator.stats(), rss, heapUsed, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'stats') reply('stats', stats());
    else if (line === 'resync') operator.resync();
    else if (line === 'idle') {
      await operator.idle(120_000);
      reply('idle', stats());
    } else if (line === 'stop') {
      await operator.stop();
      reply('stopped', {});
      process.exit(0);
    }
  }
}

type ChildStats = OperatorStats & { rss: number; heapUsed: number; cpuMs: number };

class OperatorProcess {
  private readonly waiting: ((line: string) => void)[] = [];
  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.waiting.shift()?.(line));
  }
  static start(kubeconfig: string): OperatorProcess {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fromRoot('bench', 'operator.ts'), '--role', 'operator', '--kubeconfig', kubeconfig], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, SELDON_LAB_ROOT: fromRoot() },
    });
    return new OperatorProcess(child);
  }
  private ask(command: string): Promise<ChildStats> {
    return new Promise((resolve) => {
      this.waiting.push((line) => resolve(JSON.parse(line.slice(line.indexOf(' ') + 1)) as ChildStats));
      this.child.stdin!.write(`${command}\n`);
    });
  }
  stats = () => this.ask('stats');
  idle = () => this.ask('idle');
  resync(): void {
    this.child.stdin!.write('resync\n');
  }
  async stop(): Promise<void> {
    await this.ask('stop');
  }
}

// --- the parent: the sandbox, the SeldonDeployments and the clock ------------------------------

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

const ms = (n: number) => `${n.toFixed(0)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<number> {
  const COUNT = Number(values.count);
  const SINGLE = Number(values.single);
  const cluster = await startTestCluster({ controllers: { readyPods: true } });
  if (!(await schedulerWorks(cluster))) {
    pinToNode = 'sandbox';
    console.log('note: the sandbox did not schedule a probe pod; pods are pinned to its node (spec.nodeName) to measure the operator');
  }
  const operator = OperatorProcess.start(cluster.sandbox.kubeconfigPath);
  const results: [string, string, string, boolean][] = [];
  const record = (...row: [string, string, string, boolean]) => {
    results.push(row);
    console.log(`  ${row[0]}: ${row[1]}`);
  };
  try {
    const empty = await operator.idle();
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
    record('operator RSS (heap used), no SeldonDeployments', `${mb(empty.rss)} (${mb(empty.heapUsed)})`, '-', true);

    // 1. One SeldonDeployment, created -> Available.
    const singles: number[] = [];
    for (let i = 0; i < SINGLE; i++) {
      const start = performance.now();
      await cluster.createSdep(manifest(`single-${i}`));
      await waitFor(`single-${i} Available`, async () => (await cluster.getSdep('seldon', `single-${i}`))?.status?.state === 'Available', 60_000);
      singles.push(performance.now() - start);
    }
    const single = median(singles);
    record('created -> Available (median)', ms(single), '<= 2000 ms', single <= 2000);

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
    record(`${COUNT} created -> all Available (the creates took ${ms(created)})`, ms(all), '<= 30000 ms', all <= 30_000);
    const busy = await operator.stats();
    const parent = process.cpuUsage(parentCpu);
    record(`reconciles for ${COUNT + SINGLE} SeldonDeployments (failed and retried)`, `${busy.reconciles} (${busy.failures})`, '-', true);
    record('CPU meanwhile: operator / sandbox and bench', `${ms(busy.cpuMs - cpuBefore)} / ${ms((parent.user + parent.system) / 1000)}`, '-', true);

    // 3. Idle reconciles: everything again, nothing changed.
    const before = await operator.idle();
    const logged = cluster.requests.length;
    operator.resync();
    const after = await operator.idle();
    const reconciles = after.reconciles - before.reconciles;
    const writes = after.writes - before.writes;
    const logWrites = writesIn(cluster.requests.slice(logged)).length;
    record(`API writes per idle reconcile (${reconciles} reconciles)`, `${(writes / Math.max(reconciles, 1)).toFixed(2)} (log: ${logWrites})`, '0', writes === 0 && logWrites === 0);
    record('API reads per idle reconcile', ((after.reads - before.reads) / Math.max(reconciles, 1)).toFixed(1), '-', true);

    // 4. Memory with COUNT + SINGLE SeldonDeployments.
    const rss = after.rss / 1024 / 1024;
    record(`operator RSS (heap used) with ${COUNT + SINGLE} SeldonDeployments`, `${mb(after.rss)} (${mb(after.heapUsed)})`, '<= 100 MB', rss <= 100);

    // 5. Delete them all -> every child gone.
    const delStart = performance.now();
    await pool([...names, ...Array.from({ length: SINGLE }, (_, i) => `single-${i}`)], 16, (name) =>
      cluster.custom.deleteNamespacedCustomObject({ ...SELDON, namespace: 'seldon', name }));
    await waitFor('every child to be gone', async () => (await childrenLeft(cluster)) === 0, 300_000, 100);
    record(`${COUNT + SINGLE} deleted -> all children gone`, ms(performance.now() - delStart), '-', true);
  } finally {
    await operator.stop().catch(() => undefined);
    await cluster.stop();
  }

  const width = Math.max(...results.map(([what]) => what.length));
  console.log('\noperator benchmark (sandbox, pods ready at once)');
  for (const [what, value, target, ok] of results) console.log(`  ${what.padEnd(width)}  ${value.padStart(16)}  target ${target.padEnd(11)} ${ok ? 'ok' : 'MISSED'}`);
  const missed = results.filter(([, , , ok]) => !ok).length;
  return values.strict && missed > 0 ? 1 : 0;
}

if (values.role === 'operator') {
  void operatorRole(values.kubeconfig!);
} else {
  main().then((code) => process.exit(code), (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
