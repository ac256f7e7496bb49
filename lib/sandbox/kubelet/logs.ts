// SPDX-License-Identifier: Apache-2.0
// Container logs: what `kubectl logs` (with -f, --previous, --tail, --since, --timestamps) reads.
//
// A real node writes each container's stdout and stderr to a file, one timestamped line at a
// time, and keeps the file of the previous instance when a container restarts. Here every
// instance gets a bounded in-memory buffer of lines instead, and the kubelet keeps the two most
// recent instances of each container: the current one and the one before it, which is all
// `--previous` can ask for.
//
// Which instance a request reads follows the kubelet's rules (validateContainerLogStatus): a
// running container's current instance; with --previous, the last terminated one; a container
// waiting to restart (CrashLoopBackOff) shows the run that just ended; one that never started
// answers 400 "is waiting to start: ContainerCreating".
import { PassThrough, type Readable } from 'node:stream';
import { errors } from '../apiserver/status.js';
import type { ContainerStatus } from './status.js';

/** The query parameters of `GET /api/v1/namespaces/{ns}/pods/{name}/log`. */
export interface PodLogOptions {
  namespace: string;
  pod: string;
  container?: string;
  previous?: boolean;
  /** only the last N lines */
  tailLines?: number;
  /** only lines newer than this many seconds */
  sinceSeconds?: number;
  /** only lines at or after this RFC 3339 time */
  sinceTime?: string;
  /** prefix each line with its RFC 3339 time (nanoseconds) */
  timestamps?: boolean;
  /** keep the stream open and send new lines until the container stops */
  follow?: boolean;
  /** stop after this many bytes */
  limitBytes?: number;
}

export interface LogLine {
  /** nanoseconds since the epoch */
  time: bigint;
  stream: 'stdout' | 'stderr';
  text: string;
  /** false for a last line that ended without a newline */
  newline: boolean;
}

/** Longer lines are split, as the container runtime splits them (16 KiB). */
const MAX_LINE = 16 * 1024;

/** Wall-clock nanoseconds: hrtime is monotonic and fine-grained, anchored once to the epoch. */
const EPOCH_OFFSET = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
export function nowNs(): bigint {
  return process.hrtime.bigint() + EPOCH_OFFSET;
}

/** Go's RFC3339Nano: trailing zeros of the fraction dropped, as in a real container log. */
export function rfc3339Nano(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${fraction ? `.${fraction}` : ''}Z`;
}

/** The output of one container instance: a bounded list of lines, and the followers of new ones. */
export class ContainerLog {
  private readonly lines: LogLine[] = [];
  private bytes = 0;
  private readonly partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  private readonly followers = new Set<{ line: (l: LogLine) => void; end: () => void }>();
  closed = false;

  constructor(private readonly limitBytes = 2 * 1024 * 1024) {}

  append(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    let text = this.partial[stream] + chunk.toString();
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      this.push(stream, text.slice(0, nl), true);
      text = text.slice(nl + 1);
      nl = text.indexOf('\n');
    }
    while (text.length > MAX_LINE) {
      this.push(stream, text.slice(0, MAX_LINE), true);
      text = text.slice(MAX_LINE);
    }
    this.partial[stream] = text;
  }

  /** The instance has exited: flush unterminated lines and end every follower. */
  close(): void {
    if (this.closed) return;
    for (const stream of ['stdout', 'stderr'] as const) if (this.partial[stream]) this.push(stream, this.partial[stream], false);
    this.closed = true;
    for (const f of this.followers) f.end();
    this.followers.clear();
  }

  snapshot(): LogLine[] {
    return [...this.lines];
  }

  follow(line: (l: LogLine) => void, end: () => void): () => void {
    if (this.closed) {
      end();
      return () => {};
    }
    const follower = { line, end };
    this.followers.add(follower);
    return () => this.followers.delete(follower);
  }

  private push(stream: 'stdout' | 'stderr', text: string, newline: boolean): void {
    const line: LogLine = { time: nowNs(), stream, text, newline };
    this.lines.push(line);
    this.bytes += text.length + 1;
    // Oldest lines go first when the buffer is full, as log rotation drops the oldest file.
    while (this.bytes > this.limitBytes && this.lines.length > 1) this.bytes -= this.lines.shift()!.text.length + 1;
    for (const f of this.followers) f.line(line);
  }
}

/** Every container instance's log on the node, by pod uid and container name; two instances each. */
export class LogStore {
  private readonly pods = new Map<string, Map<string, { id: string; log: ContainerLog }[]>>();

  constructor(private readonly limitBytes?: number) {}

  /** A new instance of a container starts: its log becomes the current one. */
  begin(podUid: string, container: string, containerID: string): ContainerLog {
    let pod = this.pods.get(podUid);
    if (!pod) this.pods.set(podUid, (pod = new Map()));
    const instances = pod.get(container) ?? [];
    const log = new ContainerLog(this.limitBytes);
    instances.push({ id: containerID, log });
    while (instances.length > 2) instances.shift()!.log.close();
    pod.set(container, instances);
    return log;
  }

  find(podUid: string, container: string, containerID: string): ContainerLog | undefined {
    return this.pods.get(podUid)?.get(container)?.find((i) => i.id === containerID)?.log;
  }

  /** The pod is gone: its logs go with it (and followers are ended). */
  drop(podUid: string): void {
    for (const instances of this.pods.get(podUid)?.values() ?? []) for (const i of instances) i.log.close();
    this.pods.delete(podUid);
  }
}

interface PodLike {
  metadata: { name?: string };
  spec?: unknown;
}

/** Which container a request means (the API server's rules): the only one, or the one named. */
export function logContainerName(pod: PodLike, requested: string | undefined): string {
  const spec = (pod.spec ?? {}) as { containers?: { name: string }[]; initContainers?: { name: string }[] };
  const names = (spec.containers ?? []).map((c) => c.name);
  const inits = (spec.initContainers ?? []).map((c) => c.name);
  const podName = String(pod.metadata.name);
  if (requested) {
    if (!names.includes(requested) && !inits.includes(requested)) throw errors.badRequest(`container ${requested} is not valid for pod ${podName}`);
    return requested;
  }
  if (names.length === 1) return names[0];
  if (names.length === 0) throw errors.badRequest(`a container name must be specified for pod ${podName}`);
  let message = `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`;
  if (inits.length > 0) message += ` or one of the init containers: [${inits.join(' ')}]`;
  throw errors.badRequest(message);
}

/** The instance (by container ID) a log request reads, or a 400 that says why there is none. */
export function logContainerID(status: ContainerStatus | undefined, container: string, podName: string, previous: boolean): string {
  const state = status?.state ?? {};
  const last = status?.lastState?.terminated;
  const fail = (why: string) => errors.badRequest(`container "${container}" in pod "${podName}" ${why}`);
  if (previous) {
    if (!last?.containerID) throw errors.badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    return last.containerID;
  }
  if (state.running) return String(status?.containerID);
  if (state.terminated) {
    if (state.terminated.containerID) return state.terminated.containerID;
    if (last?.containerID) return last.containerID;
    throw fail('is terminated');
  }
  if (last) {
    if (!last.containerID) throw fail('is terminated');
    return last.containerID;
  }
  if (state.waiting) {
    const reason = state.waiting.reason;
    if (reason === 'ErrImagePull') throw fail("is waiting to start: image can't be pulled");
    if (reason === 'ImagePullBackOff') throw fail('is waiting to start: trying and failing to pull image');
    throw fail(`is waiting to start: ${reason}`);
  }
  throw fail('is waiting to start - no logs yet');
}

/** The selected lines of one instance as a byte stream, following new lines when asked. */
export function streamLog(log: ContainerLog, options: PodLogOptions): Readable {
  const out = new PassThrough();
  const since =
    options.sinceTime !== undefined
      ? BigInt(Date.parse(options.sinceTime)) * 1_000_000n
      : options.sinceSeconds !== undefined
        ? nowNs() - BigInt(Math.round(options.sinceSeconds * 1e9))
        : undefined;
  let lines = log.snapshot();
  if (since !== undefined) lines = lines.filter((l) => l.time >= since);
  if (options.tailLines !== undefined) lines = options.tailLines <= 0 ? [] : lines.slice(-options.tailLines);
  let budget = options.limitBytes ?? Infinity;
  let unfollow = (): void => {};
  const write = (line: LogLine): void => {
    if (budget <= 0) return;
    let text = `${options.timestamps ? `${rfc3339Nano(line.time)} ` : ''}${line.text}${line.newline ? '\n' : ''}`;
    if (Buffer.byteLength(text) > budget) text = Buffer.from(text).subarray(0, budget).toString();
    budget -= Buffer.byteLength(text);
    out.write(text);
    if (budget <= 0) {
      unfollow();
      out.end();
    }
  };
  for (const line of lines) write(line);
  if (budget <= 0) return out;
  if (!options.follow) {
    out.end();
    return out;
  }
  unfollow = log.follow(write, () => out.end());
  out.on('close', () => unfollow());
  return out;
}
