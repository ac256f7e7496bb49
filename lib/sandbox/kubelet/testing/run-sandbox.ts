// SPDX-License-Identifier: Apache-2.0
// A sandbox with a kubelet in a process of its own, for the test that kills that process with
// SIGKILL and checks that the pods' processes die with it. It starts a few pods, waits until
// they run, prints one JSON line `{"pids":[...]}` with every process the kubelet started, and then
// waits to be killed.
import { refs } from '../../apiserver/api.js';
import { startKubeletCluster, waitFor } from './cluster.js';

async function main(): Promise<void> {
  const cluster = await startKubeletCluster();
  const pod = (name: string, spec: Record<string, unknown>) => cluster.createPod(name, spec);
  await pod('sleeper', { containers: [{ name: 'main', image: 'busybox', command: ['sleep', 'infinity'] }] });
  await pod('stubborn', { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', "trap '' TERM; sleep infinity"] }] });
  await pod('server', { containers: [{ name: 'a', image: 'busybox', command: ['httpd', '-f', '-p', '8080'] }, { name: 'b', image: 'busybox', command: ['sleep', 'infinity'] }] });
  await waitFor('every pod to run', async () => {
    const { items } = await cluster.api.list(refs.pods, { namespace: 'default' });
    return items.length === 3 && items.every((p) => (p.status as { phase?: string }).phase === 'Running');
  }, 20_000);
  process.stdout.write(`${JSON.stringify({ pids: cluster.kubelet.pids() })}\n`);
}

// Runs until killed: that is the point.
setInterval(() => {}, 1 << 30);
main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
