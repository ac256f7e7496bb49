// SPDX-License-Identifier: Apache-2.0
// How much does the sandbox's Ambassador cost? autocannon sends the seed's request
// ({"data":{"ndarray":[[1,2,3,4]]}}) at c=32, in the same run on the same machine, straight to the
// iris model server (POST /api/v1.0/predictions) and through the gateway
// (POST /seldon/seldon/iris/api/v1.0/predictions, a Mapping to a Service whose Endpoints name the
// model server), and reports requests/s, p50 and p99 of each and the gateway's share of the
// direct throughput. Target: the gateway keeps >= 0.7 of the direct throughput at c=32.
//
// For scale it also measures a plain TCP relay in front of the model server (what the sandbox's
// Service proxy does, and the least any user-space hop costs): on a 2-core machine, where the
// load generator, the hop and the model server share the cores, that is the ceiling for a
// gateway written in any language.
//
// The model server, the relay and the gateway (with its own sandbox API server) each run in a
// process of their own (this file, started with --role), so the load generator and the servers
// under test do not share an event loop. The machine is shared, so the targets alternate for
// several rounds and the median round of each is reported.
//
// usage: npx tsx bench/gateway.ts [--duration 3] [--rounds 3] [--connections 32] [--strict]
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { fromRoot } from '../lib/paths.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    upstream: { type: 'string' },
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    strict: { type: 'boolean', default: false },
  },
});

const BODY = '{"data":{"ndarray":[[1,2,3,4]]}}';
const PREFIX = '/seldon/seldon/iris/';
const UNIT = { unitId: 'classifier', image: 'seldonio/sklearnserver:1.11.0', predictorName: 'default', deploymentName: 'iris' };

/** In a child process: the model server (or a constant stand-in), printing `port <n> <what>`. */
async function serveModel(): Promise<void> {
  try {
    const { createModel } = await import('../lib/server/runtimes/index.js');
    const { startModelServer } = await import('../lib/server/server.js');
    const { resolveModelUri } = await import('../lib/server/storage/index.js');
    const model = await createModel({ implementation: 'SKLEARN_SERVER', modelDir: await resolveModelUri('gs://seldon-models/v1.11.0-dev/sklearn/iris') });
    const server = await startModelServer({ model, port: 0, host: '127.0.0.1', unit: UNIT, log: { info() {}, warn() {}, error() {} } });
    console.log(`port ${server.port} SKLEARN_SERVER iris model server`);
  } catch (error) {
    // The model server is not ready in this checkout: measure against a constant answer instead.
    const answer = '{"data":{"names":["t:0","t:1","t:2"],"ndarray":[[0.0006985194531162835,0.00366803903943666,0.995633441507447]]},"meta":{}}\n';
    const server = createServer((req, res) => {
      req.on('data', () => {});
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
        res.end(answer);
      });
    });
    server.listen(0, '127.0.0.1', () => console.log(`port ${(server.address() as AddressInfo).port} constant node:http server (model server unavailable: ${(error as Error).message.split('\n')[0]})`));
  }
}

/** In a child process: a sandbox API server and the gateway, routing PREFIX to the upstream. */
async function serveGateway(upstream: string): Promise<void> {
  const [host, port] = upstream.split(':');
  const { startSandbox, refs } = await import('../lib/sandbox/index.js');
  const { startNetwork } = await import('../lib/sandbox/network/index.js');
  const { startGateway, MAPPINGS } = await import('../lib/sandbox/gateway/index.js');
  const sandbox = await startSandbox({ controllers: false });
  const network = await startNetwork(sandbox.api);
  const gateway = await startGateway(sandbox.api, { port: 0, services: network.table });
  await sandbox.api.create(refs.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'seldon' } }).catch(() => undefined);
  await sandbox.api.create(refs.services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'iris-default', namespace: 'seldon' },
    spec: { ports: [{ name: 'http', port: 8000, targetPort: Number(port), protocol: 'TCP' }] },
  });
  await sandbox.api.create(refs.endpoints, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'iris-default', namespace: 'seldon' },
    subsets: [{ addresses: [{ ip: host }], ports: [{ name: 'http', port: Number(port), protocol: 'TCP' }] }],
  });
  await sandbox.api.create(MAPPINGS, {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    metadata: { name: 'iris', namespace: 'seldon' },
    spec: { prefix: PREFIX, rewrite: '/', service: 'iris-default.seldon:8000', timeout_ms: 3000 },
  });
  console.log(`port ${gateway.port} sandbox gateway`);
  const stop = () => {
    void gateway.stop().then(() => network.stop()).then(() => sandbox.stop()).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

/** In a child process: a TCP relay to the upstream, byte for byte (kube-proxy's job, in user space). */
function serveRelay(upstream: string): void {
  const [host, port] = upstream.split(':');
  const server = createTcpServer((client) => {
    const pod = connect({ host, port: Number(port) });
    client.pipe(pod).pipe(client);
    client.on('error', () => pod.destroy());
    pod.on('error', () => client.destroy());
  });
  server.listen(0, '127.0.0.1', () => console.log(`port ${(server.address() as AddressInfo).port} TCP relay`));
}

function startChild(args: string[]): Promise<{ child: ChildProcess; port: number; what: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fromRoot('bench', 'gateway.ts'), ...args], {
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
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with code ${code} before it was ready`)));
  });
}

function load(url: string, connections: number, seconds: number): Promise<autocannon.Result> {
  return autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY, connections, duration: seconds });
}

/** CPU time (user + system) a process has used, in ms; undefined where /proc is not there (macOS). */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  } catch {
    return undefined;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<number> {
  const seconds = Number(values.duration);
  const rounds = Math.max(1, Number(values.rounds));
  const connections = Number(values.connections);
  const model = await startChild(['--role', 'model']);
  let gateway: Awaited<ReturnType<typeof startChild>> | undefined;
  let relay: Awaited<ReturnType<typeof startChild>> | undefined;
  try {
    gateway = await startChild(['--role', 'gateway', '--upstream', `127.0.0.1:${model.port}`]);
    relay = await startChild(['--role', 'relay', '--upstream', `127.0.0.1:${model.port}`]);
    const targets = {
      direct: `http://127.0.0.1:${model.port}/api/v1.0/predictions`,
      relay: `http://127.0.0.1:${relay.port}/api/v1.0/predictions`,
      gateway: `http://127.0.0.1:${gateway.port}${PREFIX}api/v1.0/predictions`,
    };
    // Check the answers first: both ways must give the same body (a fast wrong answer is no result).
    const bodies: string[] = [];
    for (const url of Object.values(targets)) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text}`);
      bodies.push(text);
    }
    if (bodies[0] !== bodies[2]) throw new Error(`the gateway changed the answer:\n  direct:  ${bodies[0]}\n  gateway: ${bodies[2]}`);
    console.log(`upstream: ${model.what}`);
    console.log(`${BODY}, c=${connections}, ${rounds} rounds of ${seconds} s per target, alternating, after a 1 s warm-up; medians shown\n`);
    const names = ['direct', 'relay', 'gateway'] as const;
    const results: Record<keyof typeof targets, autocannon.Result[]> = { direct: [], relay: [], gateway: [] };
    // CPU per request of the hop's own process: a measure the machine's other load does not skew.
    const hops = { direct: undefined, relay: relay.child.pid, gateway: gateway.child.pid };
    const hopCpu: Record<keyof typeof targets, { ms: number; requests: number }> = { direct: { ms: 0, requests: 0 }, relay: { ms: 0, requests: 0 }, gateway: { ms: 0, requests: 0 } };
    for (const url of Object.values(targets)) await load(url, connections, 1);
    for (let round = 0; round < rounds; round++) {
      for (const name of names) {
        const before = cpuMs(hops[name]);
        const result = await load(targets[name], connections, seconds);
        const after = cpuMs(hops[name]);
        results[name].push(result);
        if (before !== undefined && after !== undefined) {
          hopCpu[name].ms += after - before;
          hopCpu[name].requests += result.requests.total;
        }
      }
    }
    const rows = names.map((name) => {
      const rs = results[name];
      return {
        name,
        rps: median(rs.map((r) => r.requests.average)),
        p50: median(rs.map((r) => r.latency.p50)),
        p99: median(rs.map((r) => r.latency.p99)),
        errors: rs.reduce((n, r) => n + r.errors + r.non2xx + r.timeouts, 0),
      };
    });
    console.log('target    req/s     p50 ms  p99 ms  errors  hop CPU µs/request');
    for (const r of rows) {
      const cpu = hopCpu[r.name];
      const perRequest = cpu.requests ? ((cpu.ms * 1000) / cpu.requests).toFixed(1) : '-';
      console.log(`${r.name.padEnd(8)}  ${r.rps.toFixed(0).padStart(7)}  ${r.p50.toFixed(2).padStart(6)}  ${r.p99.toFixed(2).padStart(6)}  ${String(r.errors).padStart(6)}  ${perRequest.padStart(8)}`);
    }
    const [direct, tcp, gw] = rows;
    const ratio = gw.rps / direct.rps;
    const met = ratio >= 0.7 && gw.errors === 0;
    console.log(`\nthe TCP relay keeps ${(tcp.rps / direct.rps).toFixed(2)} of the direct throughput (the ceiling for any user-space hop here); the gateway keeps ${(gw.rps / tcp.rps).toFixed(2)} of the relay's`);
    console.log(`target at c=${connections}: the gateway keeps >= 0.70 of the direct throughput -> ${ratio.toFixed(2)}: ${met ? 'met' : 'MISSED'}`);
    return met || !values.strict ? 0 : 1;
  } finally {
    model.child.kill();
    gateway?.child.kill();
    relay?.child.kill();
  }
}

if (values.role === 'model') void serveModel();
else if (values.role === 'gateway') void serveGateway(values.upstream ?? '');
else if (values.role === 'relay') serveRelay(values.upstream ?? '');
else void main().then((code) => (process.exitCode = code));
