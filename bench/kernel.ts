// SPDX-License-Identifier: Apache-2.0
// How fast is the notebook runner? Kernel start time and the cost of a trivial cell, next to two
// baselines measured in the same run on the same machine:
//   - a kernel_info_request round trip: the floor of any request over ZeroMQ (no code compiled);
//   - tslab's own compile-and-run of the same cell in this process, with no protocol at all.
//   - a bare `node` that loads tslab and builds its TypeScript compiler, then exits: the floor of
//     any kernel start, whoever starts it.
// The difference between a cell through the kernel and the in-process cell is what the protocol
// (and our client) adds per cell. Targets: <= 3 s to start a kernel, <= 50 ms per trivial cell.
//
// usage: npx tsx bench/kernel.ts [--cells 50] [--starts 3]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { TslabKernel } from '../lib/course/kernel.js';
import { repoRoot } from '../lib/paths.js';
import { machine, quantile, timed } from './support.js';

const { values } = parseArgs({ options: { cells: { type: 'string', default: '50' }, starts: { type: 'string', default: '3' } } });
const CELLS = Number(values.cells);
const STARTS = Number(values.starts);
const WARMUP = 5;
const CELL = '1 + 1';

interface Row {
  what: string;
  samples: number[];
  target?: number;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
}

/** tslab's converter and executor, loaded from the repository's tslab (CommonJS). */
async function inProcessCells(count: number): Promise<number[]> {
  const require = createRequire(`${repoRoot()}/package.json`);
  const { createConverter } = require('tslab/dist/converter.js');
  const { createExecutor } = require('tslab/dist/executor.js');
  const node = createConverter({ isJS: false, isBrowser: false });
  const convs = { node, browser: node, close: () => node.close() };
  const quiet = { log: () => {}, error: () => {} };
  const executor = createExecutor(repoRoot(), convs, quiet);
  // The executor prints a cell's last value with the global console.log: keep it off the table.
  const log = console.log;
  console.log = () => {};
  try {
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + count; i++) {
      const [elapsed, ok] = await timed(() => executor.execute(CELL));
      if (!ok) throw new Error('tslab could not run the cell in-process');
      if (i >= WARMUP) samples.push(elapsed);
    }
    return samples;
  } finally {
    console.log = log;
    executor.close();
  }
}

/** A fresh `node` that loads tslab and creates its compiler, as a kernel does before it can answer. */
function bareTslabStart(): number {
  const script =
    "require('tslab/dist/main.js');" +
    "require('tslab/dist/converter.js').createConverter({ isJS: false, isBrowser: false }).close();";
  const start = performance.now();
  const result = spawnSync(process.execPath, ['-e', script], { cwd: repoRoot(), stdio: 'inherit' });
  if (result.status !== 0) throw new Error('loading tslab failed');
  return performance.now() - start;
}

async function main(): Promise<void> {
  console.log(`${machine()}; ${CELLS} cells of \`${CELL}\`, ${STARTS} kernel starts\n`);
  const rows: Row[] = [];

  rows.push({ what: 'baseline: bare node loading tslab + its compiler', samples: Array.from({ length: STARTS }, bareTslabStart) });

  const starts: number[] = [];
  const shutdowns: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const [started, kernel] = await timed(() => TslabKernel.start());
    starts.push(started);
    const [stopped] = await timed(() => kernel.shutdown());
    shutdowns.push(stopped);
  }
  rows.push({ what: 'kernel start (spawn -> first kernel_info_reply)', samples: starts, target: 3000 });
  rows.push({ what: 'kernel shutdown (request -> process gone)', samples: shutdowns });

  const kernel = await TslabKernel.start();
  try {
    const roundTrips: number[] = [];
    for (let i = 0; i < WARMUP + CELLS; i++) {
      const [elapsed] = await timed(() => kernel.kernelInfo());
      if (i >= WARMUP) roundTrips.push(elapsed);
    }
    rows.push({ what: 'baseline: kernel_info round trip over ZeroMQ', samples: roundTrips });

    const first = await kernel.execute(CELL);
    rows.push({ what: 'first cell in a fresh kernel', samples: [first.durationMs] });
    const cells: number[] = [];
    for (let i = 0; i < WARMUP + CELLS; i++) {
      const result = await kernel.execute(CELL);
      if (result.status !== 'ok') throw new Error(`the trivial cell failed: ${result.stderr}`);
      if (i >= WARMUP) cells.push(result.durationMs);
    }
    rows.push({ what: `trivial cell \`${CELL}\` through the kernel`, samples: cells, target: 50 });
  } finally {
    await kernel.shutdown();
  }

  const inProcess = await inProcessCells(CELLS);
  rows.push({ what: `baseline: the same cell run by tslab in-process`, samples: inProcess });
  const viaKernel = rows.find((r) => r.what.startsWith('trivial cell'))!.samples;
  rows.push({
    what: 'protocol overhead per cell (kernel - in-process)',
    samples: [quantile(viaKernel, 0.5) - quantile(inProcess, 0.5)],
  });

  const width = Math.max(...rows.map((r) => r.what.length));
  console.log(`${'measure'.padEnd(width)}  ${'n'.padStart(3)}  ${'median'.padStart(9)}  ${'p95'.padStart(9)}  target`);
  for (const row of rows) {
    const median = quantile(row.samples, 0.5);
    const p95 = quantile(row.samples, 0.95);
    const verdict = row.target === undefined ? '' : `<= ${ms(row.target)} ${p95 <= row.target ? 'ok' : median <= row.target ? 'ok (median)' : 'MISSED'}`;
    console.log(
      `${row.what.padEnd(width)}  ${String(row.samples.length).padStart(3)}  ${ms(median).padStart(9)}  ${row.samples.length > 1 ? ms(p95).padStart(9) : ''.padStart(9)}  ${verdict}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
