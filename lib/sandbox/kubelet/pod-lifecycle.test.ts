// SPDX-License-Identifier: Apache-2.0
// The kubelet with real processes: containers that crash, never become ready, hang their probes,
// ignore SIGTERM, fight over a port, or name an image the sandbox cannot pull.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refs } from '../apiserver/api.js';
import type { WatchEvent } from '../apiserver/types.js';
import { condition, containerStatus, isGone, phase, readAllText, shell, startKubeletCluster, waitFor, type KubeletCluster } from './testing/cluster.js';

let c: KubeletCluster;
beforeAll(async () => {
  c = await startKubeletCluster();
});
afterAll(async () => {
  await c?.stop();
});

/** `back-off 200ms restarting ...` → 200 */
const backoffMs = (message: string): number => {
  const m = /^back-off (?:(\d+)m)?(?:([\d.]+)s|(\d+)ms) /.exec(message);
  if (!m) throw new Error(`not a back-off message: ${message}`);
  return m[3] !== undefined ? Number(m[3]) : Number(m[1] ?? 0) * 60_000 + Number(m[2]) * 1000;
};

describe('a container that exits at once', () => {
  it('goes into CrashLoopBackOff, restarting after a growing back-off', async () => {
    await c.createPod('crash', { containers: [shell('main', 'echo crashing; exit 3')] });
    const backoffs = new Set<string>();
    const pod = await c.waitForPod('crash', 'four restarts', (p) => {
      const s = containerStatus(p, 'main');
      if (s?.state.waiting?.reason === 'CrashLoopBackOff') backoffs.add(s.state.waiting.message!);
      return (s?.restartCount ?? 0) >= 4 && s?.state.waiting?.reason === 'CrashLoopBackOff';
    }, 20_000);
    const status = containerStatus(pod, 'main')!;
    expect(status.lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(status.state.waiting?.message).toMatch(/^back-off \S+ restarting failed container=main pod=crash_default\(/);
    expect(status.ready).toBe(false);
    expect(phase(pod)).toBe('Running');
    expect(condition(pod, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [main]' });
    const delays = [...backoffs].map(backoffMs);
    expect(delays.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]);
    expect(await c.events('crash')).toContain(`BackOff: Back-off restarting failed container main in pod crash_default(${pod.metadata.uid})`);
  });
});

describe('readiness', () => {
  it('keeps a pod whose readiness probe fails Running but not Ready', async () => {
    await c.createPod('unready', {
      containers: [shell('main', 'mkdir -p /www; httpd -f -p 8080 -h /www', { readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 } })],
    });
    await waitFor('a failed readiness probe', async () => (await c.events('unready')).some((e) => e === 'Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 404'));
    const pod = (await c.pod('unready'))!;
    expect(phase(pod)).toBe('Running');
    expect(containerStatus(pod, 'main')).toMatchObject({ ready: false, started: true, restartCount: 0, state: { running: {} } });
    expect(condition(pod, 'ContainersReady')?.status).toBe('False');
  });

  it('gives up on a probe that hangs at its timeout, and counts it a failure', async () => {
    await c.createPod('hang', {
      containers: [shell('main', 'nc -lk -p 8080', { readinessProbe: { httpGet: { path: '/', port: 8080 }, timeoutSeconds: 1, periodSeconds: 1 } })],
    });
    const pod = await c.waitForPod('hang', 'running', (p) => containerStatus(p, 'main')?.state.running !== undefined);
    const prefix = `Unhealthy: Readiness probe failed: Get "http://${(pod.status as { podIP: string }).podIP}:8080/": context deadline exceeded`;
    await waitFor('a timed-out readiness probe', async () => (await c.events('hang')).some((e) => e.startsWith(prefix)));
    expect(condition((await c.pod('hang'))!, 'Ready')?.status).toBe('False');
  });

  it('becomes Ready when its ConfigMap gains the file the probe reads', async () => {
    await c.api.create(refs.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'site', namespace: 'default' }, data: { 'index.html': 'hello' } });
    await c.createPod('follows', {
      containers: [shell('main', 'httpd -f -p 8080 -h /www', {
        readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 },
        volumeMounts: [{ name: 'site', mountPath: '/www' }],
      })],
      volumes: [{ name: 'site', configMap: { name: 'site' } }],
    });
    await waitFor('a failed readiness probe', async () => (await c.events('follows')).some((e) => e.startsWith('Unhealthy: Readiness probe failed')));
    await c.api.patch(refs.configmaps, 'default', 'site', { data: { healthz: 'ok' } }, 'application/merge-patch+json');
    await c.waitForPod('follows', 'Ready', (p) => condition(p, 'Ready')?.status === 'True');
  });
});

describe('liveness', () => {
  it('restarts a container whose liveness probe fails', async () => {
    // The Kubernetes documentation's own example; its `sleep 30` is 0.3 s on the test clock.
    await c.createPod('liveness', {
      containers: [shell('main', 'touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600', {
        livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 5, periodSeconds: 5 },
      })],
    });
    const pod = await c.waitForPod('liveness', 'a restart', (p) => (containerStatus(p, 'main')?.restartCount ?? 0) >= 1);
    expect(containerStatus(pod, 'main')?.lastState.terminated).toMatchObject({ exitCode: 143, reason: 'Error' });
    const events = await c.events('liveness');
    expect(events).toContain("Unhealthy: Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n");
    expect(events).toContain('Killing: Container main failed liveness probe, will be restarted');
  });
});

describe('termination', () => {
  it('kills a container that ignores SIGTERM at the grace deadline, then removes the pod', async () => {
    await c.createPod('stubborn', {
      terminationGracePeriodSeconds: 1,
      containers: [shell('main', "trap 'echo got SIGTERM' TERM; echo started; sleep infinity")],
    });
    await c.waitForPod('stubborn', 'running', (p) => containerStatus(p, 'main')?.state.running !== undefined);
    await waitFor('the shell to be up', async () => (await readAllText(await c.kubelet.readLog({ namespace: 'default', pod: 'stubborn' }))).includes('started'));
    const pids = c.kubelet.pids({ namespace: 'default', name: 'stubborn' });
    expect(pids.length).toBeGreaterThanOrEqual(2);
    const seen: WatchEvent[] = [];
    const watch = c.api.watch(refs.pods, { namespace: 'default', fieldSelector: 'metadata.name=stubborn' }, (e) => seen.push(e));
    try {
      await c.api.delete(refs.pods, 'default', 'stubborn');
      // The container got SIGTERM, said so, and carried on...
      await waitFor('the trap to run', async () => (await readAllText(await c.kubelet.readLog({ namespace: 'default', pod: 'stubborn' }))).includes('got SIGTERM'));
      // ...until the kubelet killed it and removed the pod.
      await waitFor('the pod to be gone', async () => (await c.pod('stubborn')) === undefined, 10_000);
    } finally {
      watch.stop();
    }
    // The final status (the kubelet's last write) is in the last event: DELETED carries it.
    const final = seen[seen.length - 1];
    expect(final.type).toBe('DELETED');
    expect(containerStatus(final.object as never, 'main')?.state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    await waitFor('every process of the pod to be gone', () => pids.every(isGone));
  });

  it('completes a pod whose containers exit 0 under restartPolicy Never', async () => {
    await c.createPod('job', { restartPolicy: 'Never', containers: [shell('main', 'echo done')] });
    const pod = await c.waitForPod('job', 'Succeeded', (p) => phase(p) === 'Succeeded');
    expect(containerStatus(pod, 'main')?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(condition(pod, 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });
});

describe('ports', () => {
  it('lets the second server of a pod fail on a port already in use, and restart', async () => {
    await c.createPod('ports', { containers: [shell('a', 'httpd -f -p 8080'), shell('b', 'httpd -f -p 8080')] });
    const pod = await c.waitForPod('ports', 'one container restarted', (p) =>
      ['a', 'b'].some((n) => (containerStatus(p, n)?.restartCount ?? 0) >= 1));
    const loser = ['a', 'b'].find((n) => (containerStatus(pod, n)?.restartCount ?? 0) >= 1)!;
    const winner = loser === 'a' ? 'b' : 'a';
    expect(containerStatus(pod, winner)).toMatchObject({ restartCount: 0, state: { running: {} } });
    expect(containerStatus(pod, loser)?.lastState.terminated?.exitCode).toBe(1);
    const log = await readAllText(await c.kubelet.readLog({ namespace: 'default', pod: 'ports', container: loser, previous: true }));
    expect(log).toBe('httpd: bind: Address already in use\n');
  });

  it('gives every pod its own address, so two pods serve the same port', async () => {
    const web = (name: string) => c.createPod(name, {
      containers: [shell('main', 'mkdir -p /www; hostname > /www/index.html; httpd -f -p 8080 -h /www', {
        readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
      })],
    });
    await Promise.all([web('web-1'), web('web-2')]);
    const answers = [];
    for (const name of ['web-1', 'web-2']) {
      const pod = await c.waitForPod(name, 'Ready', (p) => condition(p, 'Ready')?.status === 'True');
      const ip = (pod.status as { podIP: string }).podIP;
      answers.push([ip, await (await fetch(`http://${ip}:8080/`)).text()]);
    }
    expect(answers[0][0]).not.toBe(answers[1][0]);
    expect(answers.map((a) => a[1])).toEqual(['web-1\n', 'web-2\n']);
  });
});

describe('images', () => {
  it('cannot pull an unknown image: ErrImagePull, then ImagePullBackOff, pod Pending', async () => {
    await c.createPod('nginx', { containers: [{ name: 'web', image: 'nginx:1.27' }] });
    const pod = await c.waitForPod('nginx', 'ImagePullBackOff', (p) => containerStatus(p, 'web')?.state.waiting?.reason === 'ImagePullBackOff');
    expect(phase(pod)).toBe('Pending');
    expect(containerStatus(pod, 'web')?.state.waiting?.message).toBe('Back-off pulling image "nginx:1.27"');
    const events = await c.events('nginx');
    expect(events).toContain('Pulling: Pulling image "nginx:1.27"');
    expect(events.some((e) => e.startsWith('Failed: Failed to pull image "nginx:1.27": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.27"'))).toBe(true);
    expect(events).toContain('Failed: Error: ErrImagePull');
    await expect(c.kubelet.readLog({ namespace: 'default', pod: 'nginx' })).rejects.toThrow(/container "web" in pod "nginx" is waiting to start: (trying and failing to pull image|image can't be pulled)/);
  });

  it('does not try to pull under imagePullPolicy: Never', async () => {
    await c.createPod('never-pull', { containers: [{ name: 'web', image: 'nginx:1.27', imagePullPolicy: 'Never' }] });
    const pod = await c.waitForPod('never-pull', 'ErrImageNeverPull', (p) => containerStatus(p, 'web')?.state.waiting?.reason === 'ErrImageNeverPull');
    expect(containerStatus(pod, 'web')?.state.waiting?.message).toBe('Container image "nginx:1.27" is not present with pull policy of Never');
  });

  it('reports a command the image does not hold as a StartError', async () => {
    await c.createPod('nopython', { containers: [{ name: 'main', image: 'busybox', command: ['python', '-V'] }] });
    const pod = await c.waitForPod('nopython', 'a failed start', (p) => containerStatus(p, 'main')?.lastState.terminated?.reason === 'StartError' || containerStatus(p, 'main')?.state.terminated?.reason === 'StartError');
    const s = containerStatus(pod, 'main')!;
    expect((s.state.terminated ?? s.lastState.terminated)).toMatchObject({ exitCode: 128, message: expect.stringContaining('exec: "python": executable file not found in $PATH') });
  });
});

describe('init containers', () => {
  const work = { volumeMounts: [{ name: 'work', mountPath: '/work' }] };

  it('runs them one at a time, in order, before the containers', async () => {
    await c.createPod('init', {
      initContainers: [shell('first', 'echo first >> /work/order', work), shell('second', 'echo second >> /work/order', work)],
      containers: [shell('main', 'cat /work/order; sleep infinity', work)],
      volumes: [{ name: 'work', emptyDir: {} }],
    });
    const pod = await c.waitForPod('init', 'running', (p) => containerStatus(p, 'main')?.state.running !== undefined);
    expect(condition(pod, 'Initialized')?.status).toBe('True');
    expect(containerStatus(pod, 'first', true)?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    await waitFor('the main container to print the file', async () => (await readAllText(await c.kubelet.readLog({ namespace: 'default', pod: 'init' }))) === 'first\nsecond\n');
  });

  it('retries a failing init container with back-off and keeps the pod Pending', async () => {
    await c.createPod('init-fails', { initContainers: [shell('setup', 'exit 1')], containers: [shell('main', 'sleep infinity')] });
    const pod = await c.waitForPod('init-fails', 'Init:CrashLoopBackOff', (p) => containerStatus(p, 'setup', true)?.state.waiting?.reason === 'CrashLoopBackOff');
    expect(phase(pod)).toBe('Pending');
    expect(containerStatus(pod, 'setup', true)?.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(containerStatus(pod, 'main')?.state.waiting?.reason).toBe('PodInitializing');
    expect(condition(pod, 'Initialized')).toMatchObject({ status: 'False', message: 'containers with incomplete status: [setup]' });
  });

  it('fails the pod when an init container fails under restartPolicy Never', async () => {
    await c.createPod('init-never', { restartPolicy: 'Never', initContainers: [shell('setup', 'exit 2')], containers: [shell('main', 'sleep infinity')] });
    const pod = await c.waitForPod('init-never', 'Failed', (p) => phase(p) === 'Failed');
    expect(containerStatus(pod, 'setup', true)?.state.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
  });
});
