// SPDX-License-Identifier: Apache-2.0
// Measures "pod create → Ready" for the iris model server in the sandbox (issue 5's target:
// ≤ 1 s), on the clock lessons use (timeScale 0.02). Not a test: numbers depend on the machine.
//
//   npx tsx lib/sandbox/kubelet/testing/measure-pod-ready.ts [runs] [timeScale]
//
// Each run creates the pod, takes the time of the first watch event that shows it Ready, deletes
// it and waits until it is gone. Printed: every run, then the median and the worst.
import { refs } from '../../apiserver/api.js';
import type { KubeObject } from '../../apiserver/types.js';
import { condition, startKubeletCluster, waitFor } from './cluster.js';
import { irisPodSpec } from './iris-pod.js';

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const timeScale = Number(process.argv[3] ?? 0.02);
  const cluster = await startKubeletCluster({ timeScale });
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const name = `iris-${i}`;
      let readyAt: number | undefined;
      const watch = cluster.api.watch(refs.pods, { namespace: 'default', fieldSelector: `metadata.name=${name}` }, (event) => {
        if (readyAt === undefined && event.type === 'MODIFIED' && condition(event.object as KubeObject, 'Ready')?.status === 'True') readyAt = performance.now();
      });
      const start = performance.now();
      await cluster.createPod(name, irisPodSpec());
      await waitFor(`${name} to be Ready`, () => readyAt !== undefined, 30_000);
      watch.stop();
      times.push(readyAt! - start);
      process.stdout.write(`run ${i + 1}: pod create → Ready ${(readyAt! - start).toFixed(0)} ms\n`);
      await cluster.api.delete(refs.pods, 'default', name);
      await waitFor(`${name} to be gone`, async () => (await cluster.pod(name)) === undefined, 30_000);
    }
  } finally {
    await cluster.stop();
  }
  const sorted = [...times].sort((a, b) => a - b);
  process.stdout.write(`median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, worst ${sorted[sorted.length - 1].toFixed(0)} ms (timeScale ${timeScale}, ${runs} runs)\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
