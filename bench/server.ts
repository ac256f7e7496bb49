// SPDX-License-Identifier: Apache-2.0
// How fast is the model server? autocannon sends the seed's request ({"data":{"ndarray":
// [[1,2,3,4]]}} to POST /api/v1.0/predictions) to the iris model (SKLEARN_SERVER, from the
// offline store) and, in the same run on the same machine, to a node:http server that answers a
// constant JSON body: the floor any Node server pays for HTTP alone. At 1, 8 and 32 connections
// it reports requests/s, p50 and p99 latency, and the model server's share of the constant
// server's throughput. Targets at 32 connections: >= 0.6 of the constant server, p99 <= 3 ms.
// (For scale: Seldon's own Python server gives about 0.8k req/s at c=32 with p99 ~ 56 ms.)
//
// Each server runs in its own process (this file, started with --role), so the load generator
// and the server under test do not share an event loop; and as the machine is shared, each level
// alternates the two servers for several rounds and reports the median round of each (both as in
// support.ts).
//
// usage: npx tsx bench/server.ts [--duration 3] [--rounds 3] [--connections 1,8,32] [--strict]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import {
  alternate, announce, LOAD_HEADING, loadColumns, machine, predict, PREDICTIONS_PATH, SEED_REQUEST, serveIrisModel, startRole, type LoadSummary, type RoleProcess,
} from './support.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '1,8,32' },
    strict: { type: 'boolean', default: false },
  },
});

const SEED_ANSWER = '{"data":{"names":["t:0","t:1","t:2"],"ndarray":[[0.0006985194531162835,0.00366803903943666,0.995633441507447]]},"meta":{"requestPath":{"classifier":"seldonio/sklearnserver:1.11.0"}}}\n';

/** In a child process: a node:http server that answers the seed's answer to every request. */
function serveConstant(): void {
  const server = createServer((req, res) => {
    // Read the body like a real handler would, then answer the same bytes every time.
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(SEED_ANSWER) });
      res.end(SEED_ANSWER);
    });
  });
  server.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port, 'constant node:http'));
}

interface Row extends LoadSummary {
  server: 'constant' | 'model';
  connections: number;
}

async function main(): Promise<number> {
  const seconds = Number(values.duration);
  const rounds = Math.max(1, Number(values.rounds));
  const levels = values.connections!.split(',').map(Number);
  const model = await startRole('server.ts', ['--role', 'model']);
  let constant: RoleProcess | undefined;
  try {
    constant = await startRole('server.ts', ['--role', 'constant']);
    // Check the answer first: a fast wrong answer is no result.
    const answer = await predict(`http://127.0.0.1:${model.port}${PREDICTIONS_PATH}`);
    if (!answer.startsWith('{"data":{"names":["t:0","t:1","t:2"],"ndarray":[[0.00069851945')) throw new Error(`not the seed's answer: ${answer}`);
    console.log(machine());
    console.log(`model server:    ${model.what}`);
    console.log(`constant server: ${constant.what}`);
    console.log(`${SEED_REQUEST} to POST ${PREDICTIONS_PATH}; per level ${rounds} rounds of ${seconds} s per server, alternating, after a 1 s warm-up; medians shown\n`);
    const urls = { constant: `http://127.0.0.1:${constant.port}${PREDICTIONS_PATH}`, model: `http://127.0.0.1:${model.port}${PREDICTIONS_PATH}` };
    const rows: Row[] = [];
    for (const c of levels) {
      const summaries = await alternate(urls, { connections: c, seconds, rounds });
      for (const name of ['constant', 'model'] as const) rows.push({ server: name, connections: c, ...summaries[name] });
    }
    console.log(`connections  server    ${LOAD_HEADING}  vs constant`);
    for (const row of rows) {
      const base = rows.find((r) => r.server === 'constant' && r.connections === row.connections)!;
      const ratio = row.server === 'model' ? (row.rps / base.rps).toFixed(2) : '';
      console.log(`${String(row.connections).padStart(11)}  ${row.server.padEnd(8)}  ${loadColumns(row)}  ${ratio}`);
    }
    const at32 = rows.find((r) => r.server === 'model' && r.connections === 32);
    const base32 = rows.find((r) => r.server === 'constant' && r.connections === 32);
    if (!at32 || !base32) return 0;
    const ratio = at32.rps / base32.rps;
    const met = ratio >= 0.6 && at32.p99 <= 3;
    console.log(`\ntarget at c=32: >= 0.60 of the constant server and p99 <= 3 ms -> ${ratio.toFixed(2)}, p99 ${at32.p99.toFixed(2)} ms: ${met ? 'met' : 'MISSED'}`);
    return met || !values.strict ? 0 : 1;
  } finally {
    model.child.kill();
    constant?.child.kill();
  }
}

if (values.role === 'model') await serveIrisModel('iris-model');
else if (values.role === 'constant') serveConstant();
else process.exitCode = await main();
