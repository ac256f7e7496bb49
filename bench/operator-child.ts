// SPDX-License-Identifier: Apache-2.0
// The operator as bench/operator.ts runs it: startOperator() in a process of its own, as in its
// container, answering one-line commands on stdin with one JSON line on stdout:
//   stats   what it has done and how much memory it holds (after a full garbage collection,
//           when started with --expose-gc, so the numbers say what it keeps)
//   idle    the same, once nothing is queued or being reconciled
//   resync  queue every SeldonDeployment again (no answer)
//   stop    stop, answer, exit
//
// It imports only the operator and client-node, as the image's program does (a child that also
// loaded the bench's sandbox would be measured with the sandbox's code in it). The bench runs it
// from source through tsx, and bundled by cluster/images/operator-bundle.ts like the image.
//
//   node [--expose-gc] operator-child.mjs --kubeconfig FILE
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { startOperator, type OperatorStats } from '../lib/operator/controller.js';

export interface ChildStats extends OperatorStats {
  /** resident set size now, bytes */
  rss: number;
  /** the most it has been resident so far, bytes */
  peakRss: number;
  heapUsed: number;
  heapTotal: number;
  /** CPU time used so far (user + system) */
  cpuMs: number;
}

async function serve(kubeconfig: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const operator = startOperator({ kubeConfig: kc, log: () => {} });
  const reply = (what: string, data: unknown) => console.log(`${what} ${JSON.stringify(data)}`);
  const stats = (): ChildStats => {
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed, heapTotal } = process.memoryUsage();
    const usage = process.resourceUsage();
    return { ...operator.stats(), rss, peakRss: usage.maxRSS * 1024, heapUsed, heapTotal, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 };
  };
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'stats') reply('stats', stats());
    else if (line === 'resync') operator.resync();
    else if (line === 'idle') {
      await operator.idle(120_000);
      reply('idle', stats());
    } else if (line === 'stop') {
      await operator.stop();
      reply('stopped', stats());
      process.exit(0);
    }
  }
}

const { values } = parseArgs({ options: { kubeconfig: { type: 'string' } } });
if (!values.kubeconfig) {
  console.error('usage: operator-child --kubeconfig FILE');
  process.exit(2);
}
serve(values.kubeconfig).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
