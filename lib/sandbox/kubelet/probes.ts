// SPDX-License-Identifier: Apache-2.0
// Readiness, liveness and startup probes, run for real against the pod's address.
//
// A probe is one of three checks (pkg/probe), with the kubelet's own wording for failures, which
// is what `kubectl describe pod` shows under Events ("Readiness probe failed: ..."):
//
//   httpGet    GET http://<podIP>:<port><path>; 200-399 passes
//   tcpSocket  a TCP connection to <podIP>:<port> opens
//   exec       a command run in the container exits 0
//
// and a schedule (pkg/kubelet/prober/worker.go): nothing before `initialDelaySeconds`, then one
// run every `periodSeconds`, each cut off after `timeoutSeconds` (a hang is a failure). The result
// flips only after `failureThreshold` failures or `successThreshold` successes in a row. A
// readiness probe starts "not ready", a liveness probe "healthy", and neither runs until the
// startup probe (if any) has passed. Delays and periods run on the sandbox clock (timing.ts);
// timeouts do not.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { V1ContainerPort, V1LifecycleHandler, V1Probe } from '@kubernetes/client-node';
import { scaledMs } from './timing.js';

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

/** What a probe needs of its container. */
export interface ProbeTarget {
  podIP: string;
  ports: V1ContainerPort[];
  /** runs a command "in the container" (its image, environment and filesystem) */
  exec(command: string[], timeoutMs: number): Promise<{ exitCode: number; output: string; timedOut: boolean }>;
}

export interface ProbeOutcome {
  ok: boolean;
  /** why it failed, worded as the kubelet words it */
  message?: string;
}

/** The kubelet's User-Agent on probe requests. */
const USER_AGENT = 'kube-probe/1.30';

function resolvePort(port: number | string | undefined, ports: V1ContainerPort[]): number {
  if (typeof port === 'number') return port;
  if (port !== undefined && /^\d+$/.test(port)) return Number(port);
  const named = ports.find((p) => p.name === port);
  if (!named) throw new Error(`unable to find port named ${JSON.stringify(port)} among the container's ports`);
  return named.containerPort;
}

function httpGetOnce(action: NonNullable<V1Probe['httpGet']>, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  const host = action.host || target.podIP;
  const port = resolvePort(action.port, target.ports);
  const path = action.path ? (action.path.startsWith('/') ? action.path : `/${action.path}`) : '/';
  const url = `${scheme}://${host}:${port}${path}`;
  const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: '*/*' };
  for (const h of action.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    const send = scheme === 'https' ? httpsRequest : httpRequest;
    // The kubelet does not verify a probe target's certificate.
    const req = send(url, { method: 'GET', headers, rejectUnauthorized: false, agent: false }, (res: IncomingMessage) => {
      res.resume();
      const code = res.statusCode ?? 0;
      clearTimeout(timer);
      resolve(code >= 200 && code < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      req.destroy();
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ ok: false, message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `Get "${url}": ${dialError(host, port, error)}` });
    });
    req.end();
  });
}

/** Go's wording of a failed dial, e.g. `dial tcp 127.1.0.2:9000: connect: connection refused`. */
function dialError(host: string, port: number, error: NodeJS.ErrnoException): string {
  const what = error.code === 'ECONNREFUSED' ? 'connect: connection refused' : error.code === 'EHOSTUNREACH' ? 'connect: no route to host' : error.message;
  return `dial tcp ${host}:${port}: ${what}`;
}

function tcpOnce(action: NonNullable<V1Probe['tcpSocket']>, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const host = action.host || target.podIP;
  const port = resolvePort(action.port, target.ports);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, message: dialError(host, port, error) });
    });
  });
}

async function execOnce(command: string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const result = await target.exec(command, timeoutMs);
  if (result.timedOut) return { ok: false, message: `command ${JSON.stringify(command.join(' '))} timed out` };
  return result.exitCode === 0 ? { ok: true } : { ok: false, message: result.output };
}

/** Runs one check (a probe's or a lifecycle hook's) once. Never throws: a problem is a failure. */
export async function runCheck(action: V1Probe | V1LifecycleHandler, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  try {
    if (action.httpGet) return await httpGetOnce(action.httpGet, target, timeoutMs);
    if (action.tcpSocket) return await tcpOnce(action.tcpSocket, target, timeoutMs);
    if (action.exec) return await execOnce(action.exec.command ?? [], target, timeoutMs);
    if ('grpc' in action && action.grpc) return { ok: false, message: 'the sandbox cluster does not run gRPC probes; use httpGet, tcpSocket or exec' };
    return { ok: false, message: 'the probe names no check (httpGet, tcpSocket or exec)' };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** A probe's timing, with Kubernetes' defaults filled in. */
export function probeTiming(probe: V1Probe) {
  return {
    initialDelaySeconds: probe.initialDelaySeconds ?? 0,
    periodSeconds: probe.periodSeconds ?? 10,
    timeoutSeconds: probe.timeoutSeconds ?? 1,
    failureThreshold: probe.failureThreshold ?? 3,
    successThreshold: probe.successThreshold ?? 1,
  };
}

/**
 * Runs one probe of one container instance on its schedule. `onResult` is called when the
 * thresholded result changes (true: ready / healthy / started); `onFailure` on every failed run.
 */
export class ProbeWorker {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private last: boolean | undefined;
  private run = 0;
  /** the result in force: readiness starts false, liveness true, startup undecided */
  result: boolean | undefined;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: V1Probe,
    private readonly target: ProbeTarget,
    private readonly timeScale: number,
    private readonly onResult: (result: boolean) => void,
    private readonly onFailure: (message: string, failuresInARow: number) => void,
  ) {
    this.result = kind === 'readiness' ? false : kind === 'liveness' ? true : undefined;
  }

  /** Starts the schedule: the first run after the initial delay (from now: the container's start). */
  start(): void {
    const timing = probeTiming(this.probe);
    this.schedule(scaledMs(timing.initialDelaySeconds, this.timeScale));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    const timing = probeTiming(this.probe);
    const began = Date.now();
    const outcome = await runCheck(this.probe, this.target, timing.timeoutSeconds * 1000);
    if (this.stopped) return;
    this.run = outcome.ok === this.last ? this.run + 1 : 1;
    this.last = outcome.ok;
    if (!outcome.ok) this.onFailure(outcome.message ?? '', this.run);
    const threshold = outcome.ok ? timing.successThreshold : timing.failureThreshold;
    // Liveness and startup probes pass on the first success whatever successThreshold says.
    const needed = outcome.ok && this.kind !== 'readiness' ? 1 : threshold;
    if (this.run >= needed && this.result !== outcome.ok) {
      this.result = outcome.ok;
      this.onResult(outcome.ok);
    }
    // A passed startup probe is done; the others keep going.
    if (this.kind === 'startup' && this.result === true) return;
    this.schedule(Math.max(0, scaledMs(timing.periodSeconds, this.timeScale) - (Date.now() - began)));
  }
}
