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
// several rounds and the median round of each is reported (both as in support.ts).
//
// usage: npx tsx bench/gateway.ts [--duration 3] [--rounds 3] [--connections 32] [--strict]
import { readFileSync } from 'node:fs';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { alternate, announce, LOAD_HEADING, loadColumns, machine, predict, PREDICTIONS_PATH, SEED_REQUEST, serveIrisModel, startRole, type RoleProcess } from './support.js';

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

const PREFIX = '/seldon/seldon/iris/';

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
  announce(gateway.port, 'sandbox gateway');
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
  server.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port, 'TCP relay'));
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

async function main(): Promise<number> {
  const seconds = Number(values.duration);
  const rounds = Math.max(1, Number(values.rounds));
  const connections = Number(values.connections);
  const model = await startRole('gateway.ts', ['--role', 'model']);
  let gateway: RoleProcess | undefined;
  let relay: RoleProcess | undefined;
  try {
    gateway = await startRole('gateway.ts', ['--role', 'gateway', '--upstream', `127.0.0.1:${model.port}`]);
    relay = await startRole('gateway.ts', ['--role', 'relay', '--upstream', `127.0.0.1:${model.port}`]);
    const targets = {
      direct: `http://127.0.0.1:${model.port}${PREDICTIONS_PATH}`,
      relay: `http://127.0.0.1:${relay.port}${PREDICTIONS_PATH}`,
      gateway: `http://127.0.0.1:${gateway.port}${PREFIX}api/v1.0/predictions`,
    };
    // Check the answers first: every way must give the same body (a fast wrong answer is no result).
    const direct = await predict(targets.direct);
    for (const name of ['relay', 'gateway'] as const) {
      const body = await predict(targets[name]);
      if (body !== direct) throw new Error(`the ${name} changed the answer:\n  direct: ${direct}\n  ${name}: ${body}`);
    }
    console.log(`${machine()}\nupstream: ${model.what}`);
    console.log(`${SEED_REQUEST}, c=${connections}, ${rounds} rounds of ${seconds} s per target, alternating, after a 1 s warm-up; medians shown\n`);
    // CPU per request of the hop's own process: a measure the machine's other load does not skew.
    const hops: Record<keyof typeof targets, number | undefined> = { direct: undefined, relay: relay.child.pid, gateway: gateway.child.pid };
    const hopCpu = { direct: { ms: 0, requests: 0 }, relay: { ms: 0, requests: 0 }, gateway: { ms: 0, requests: 0 } };
    const rows = await alternate(targets, { connections, seconds, rounds }, async (name, run) => {
      const before = cpuMs(hops[name]);
      const result = await run();
      const after = cpuMs(hops[name]);
      if (before !== undefined && after !== undefined) {
        hopCpu[name].ms += after - before;
        hopCpu[name].requests += result.requests.total;
      }
      return result;
    });
    console.log(`target    ${LOAD_HEADING}  hop CPU µs/request`);
    for (const name of ['direct', 'relay', 'gateway'] as const) {
      const cpu = hopCpu[name];
      const perRequest = cpu.requests ? ((cpu.ms * 1000) / cpu.requests).toFixed(1) : '-';
      console.log(`${name.padEnd(8)}  ${loadColumns(rows[name])}  ${perRequest.padStart(8)}`);
    }
    const ratio = rows.gateway.rps / rows.direct.rps;
    const met = ratio >= 0.7 && rows.gateway.errors === 0;
    console.log(`\nthe TCP relay keeps ${(rows.relay.rps / rows.direct.rps).toFixed(2)} of the direct throughput (the ceiling for any user-space hop here); the gateway keeps ${(rows.gateway.rps / rows.relay.rps).toFixed(2)} of the relay's`);
    console.log(`target at c=${connections}: the gateway keeps >= 0.70 of the direct throughput -> ${ratio.toFixed(2)}: ${met ? 'met' : 'MISSED'}`);
    return met || !values.strict ? 0 : 1;
  } finally {
    model.child.kill();
    gateway?.child.kill();
    relay?.child.kill();
  }
}

if (values.role === 'model') void serveIrisModel('iris');
else if (values.role === 'gateway') void serveGateway(values.upstream ?? '');
else if (values.role === 'relay') serveRelay(values.upstream ?? '');
else void main().then((code) => (process.exitCode = code));
