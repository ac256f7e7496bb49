// SPDX-License-Identifier: Apache-2.0
// Fault injection: the bad days of a real cluster, on demand, so tests can prove that an operator
// or an informer survives them. Each fault reproduces something clients meet in production:
//
//   dropWatches   every open watch ends at once (an apiserver restart, a load balancer idle cut)
//   compact       history is compacted, so a watch or a paged list from an older
//                 resourceVersion gets 410 Gone / Expired and the client must relist
//   failNext      the next N matching requests fail with 409, 429 (+ Retry-After), 500, ...
//   latency       matching requests wait before they are handled
//   stall         the next N matching requests are accepted and never answered (half-open
//                 connections: the "watch silently stops" bug family of client-node)
//   restart       the server closes every connection and listens again, keeping its state
//
// Use it in-process (`sandbox.faults.failNext({...})`) or over HTTPS:
//   POST /_sandbox/faults  {"action":"failNext","code":429,"count":2,"verb":"list","retryAfterSeconds":1}
// with the sandbox's bearer token. Faults apply to HTTP clients only; the in-process controllers
// are not affected.
import { ApiError, errors } from './apiserver/status.js';

/** Which requests a rule applies to; every given field must match. */
export interface RequestMatch {
  /** a Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection) or an HTTP method */
  verb?: string;
  /** a substring of the URL path, e.g. `/seldondeployments` */
  path?: string;
}

export interface FailureRule extends RequestMatch {
  /** the HTTP status to answer: 409, 429, 500, 503, ... */
  code: number;
  /** how many matching requests fail (default 1) */
  count?: number;
  /** for 429 and 503: the Retry-After seconds (default 1) */
  retryAfterSeconds?: number;
  message?: string;
}

export interface LatencyRule extends RequestMatch {
  ms: number;
  /** how many matching requests are delayed (default: all, until reset) */
  count?: number;
}

export interface StallRule extends RequestMatch {
  /** how many matching requests are never answered (default 1) */
  count?: number;
}

/** What the faults act on; index.ts connects these to the running sandbox. */
export interface FaultTargets {
  dropWatches(): number;
  compact(revision?: number): number;
  restart(): Promise<void>;
}

/** What the server asks for each request. */
export interface FaultDecision {
  fail?: ApiError;
  latencyMs: number;
  stall: boolean;
}

function matches(rule: RequestMatch, verb: string, method: string, path: string): boolean {
  if (rule.verb && rule.verb.toLowerCase() !== verb.toLowerCase() && rule.verb.toUpperCase() !== method) return false;
  return !rule.path || path.includes(rule.path);
}

function errorFor(rule: FailureRule): ApiError {
  const retry = rule.retryAfterSeconds ?? 1;
  switch (rule.code) {
    case 409:
      return new ApiError(409, 'Conflict', rule.message ?? 'Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again');
    case 429:
      return errors.tooManyRequests(retry);
    case 500:
      return errors.internal(rule.message ?? 'injected fault');
    case 503:
      return new ApiError(503, 'ServiceUnavailable', rule.message ?? 'the server is currently unable to handle the request', { retryAfterSeconds: retry });
    case 410:
      return errors.expired(rule.message ?? 'too old resource version');
    default:
      return new ApiError(rule.code, 'InternalError', rule.message ?? `injected fault ${rule.code}`);
  }
}

export class Faults {
  private failures: (FailureRule & { left: number })[] = [];
  private latencies: (LatencyRule & { left: number })[] = [];
  private stalls: (StallRule & { left: number })[] = [];
  private targets: FaultTargets | undefined;

  /** Connects the faults that act on the server (index.ts does this). */
  attach(targets: FaultTargets): void {
    this.targets = targets;
  }

  failNext(rule: FailureRule): void {
    if (!Number.isInteger(rule.code) || rule.code < 400 || rule.code > 599) throw new Error(`failNext needs an HTTP error code (400-599), not ${rule.code}`);
    this.failures.push({ ...rule, left: rule.count ?? 1 });
  }

  addLatency(rule: LatencyRule): void {
    if (!(rule.ms >= 0)) throw new Error(`latency needs ms >= 0, not ${rule.ms}`);
    this.latencies.push({ ...rule, left: rule.count ?? Infinity });
  }

  stallNext(rule: StallRule = {}): void {
    this.stalls.push({ ...rule, left: rule.count ?? 1 });
  }

  /** Ends every open HTTP watch; returns how many there were. */
  dropWatches(): number {
    return this.required().dropWatches();
  }

  /** Compacts history up to `revision` (default: now); returns the compacted revision. */
  compact(revision?: number): number {
    return this.required().compact(revision);
  }

  /** Closes every connection and listens again on the same port, keeping all objects. */
  restart(): Promise<void> {
    return this.required().restart();
  }

  /** Forgets every pending failure, latency and stall. */
  reset(): void {
    this.failures = [];
    this.latencies = [];
    this.stalls = [];
  }

  /** What is armed now. */
  state(): { failures: FailureRule[]; latencies: LatencyRule[]; stalls: StallRule[] } {
    const strip = <T extends { left: number }>(r: T): Omit<T, 'left'> & { count: number } => {
      const { left, ...rest } = r;
      return { ...rest, count: left };
    };
    return { failures: this.failures.map(strip), latencies: this.latencies.map(strip), stalls: this.stalls.map(strip) };
  }

  /** Consumes the rules matching one request. */
  decide(verb: string, method: string, path: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, stall: false };
    const take = <T extends RequestMatch & { left: number }>(rules: T[]): T | undefined => {
      const rule = rules.find((r) => r.left > 0 && matches(r, verb, method, path));
      if (rule) rule.left--;
      return rule;
    };
    const latency = take(this.latencies);
    if (latency) decision.latencyMs = latency.ms;
    if (take(this.stalls)) decision.stall = true;
    const failure = take(this.failures);
    if (failure) decision.fail = errorFor(failure);
    this.failures = this.failures.filter((r) => r.left > 0);
    this.latencies = this.latencies.filter((r) => r.left > 0);
    this.stalls = this.stalls.filter((r) => r.left > 0);
    return decision;
  }

  /** `POST /_sandbox/faults` with `{"action": ..., ...}`; answers what was done. */
  async handle(body: unknown): Promise<Record<string, unknown>> {
    const request = (body ?? {}) as { action?: string } & Record<string, unknown>;
    switch (request.action) {
      case 'failNext': this.failNext(request as unknown as FailureRule); break;
      case 'latency': this.addLatency(request as unknown as LatencyRule); break;
      case 'stall': this.stallNext(request as StallRule); break;
      case 'dropWatches': return { dropped: this.dropWatches() };
      case 'compact': return { compactedThrough: this.compact(request.revision as number | undefined) };
      case 'restart': await this.restart(); return { restarted: true };
      case 'reset': this.reset(); break;
      default:
        throw new Error(`unknown fault action ${JSON.stringify(request.action)}; use one of failNext, latency, stall, dropWatches, compact, restart, reset`);
    }
    return this.state();
  }

  private required(): FaultTargets {
    if (!this.targets) throw new Error('these faults need a running sandbox: use the faults of startSandbox()');
    return this.targets;
  }
}
