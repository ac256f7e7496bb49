// SPDX-License-Identifier: Apache-2.0
// The sandbox clock, and Kubernetes' restart back-off on it.
//
// Kubernetes waits a lot on purpose: Seldon's model container gets `initialDelaySeconds: 20` on
// its readiness probe, a crashing container is restarted after 10 s, 20 s, 40 s ... 5 min. On a
// real cluster that patience protects slow programs; in a lesson it is dead time. So the sandbox
// kubelet has one `timeScale` (1 = Kubernetes' own timing) that multiplies every wait the
// kubelet chooses by itself:
//
//   scaled      probe initialDelaySeconds and periodSeconds, the crash and image-pull back-offs,
//               a preStop `sleep` action, the toybox's `sleep`
//   not scaled  probe timeoutSeconds and terminationGracePeriodSeconds: those bound how long a
//               real program may take to answer or to shut down, and a program does not run faster
//               because the sandbox is in a hurry.
//
// Probes still run, and in the same order and number as on a cluster; only the gaps shrink. With
// timeScale 0.02, Seldon's readiness probe starts after 0.4 s and repeats every 0.1 s.

/** The shortest wait the kubelet schedules: below this, timers only burn CPU. */
const FLOOR_MS = 10;

/** `seconds` of Kubernetes time in real milliseconds. */
export function scaledMs(seconds: number, scale: number): number {
  if (seconds <= 0) return 0;
  return Math.max(FLOOR_MS, Math.round(seconds * 1000 * scale));
}

/** Checks a time scale given by a user: a number above 0, at most 1. */
export function checkTimeScale(scale: number): number {
  if (!(scale > 0 && scale <= 1)) throw new Error(`timeScale must be a number above 0 and at most 1 (1 = Kubernetes' own timing), got ${scale}`);
  return scale;
}

/**
 * Kubernetes' back-off for restarting a crashed container or pulling an image (client-go
 * flowcontrol.Backoff, as the kubelet uses it): no wait before the first retry, then 10 s, doubling
 * up to 5 min; forgotten after twice the maximum without a failure.
 */
export class Backoff {
  private readonly entries = new Map<string, { delayMs: number; lastUpdate: number }>();

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  static kubelet(scale: number): Backoff {
    return new Backoff(scaledMs(10, scale), scaledMs(300, scale));
  }

  /** Records a failure at `at` and returns the delay that now applies. */
  next(key: string, at: number): number {
    const entry = this.entries.get(key);
    const delayMs = !entry || this.expired(entry, at) ? this.initialMs : Math.min(entry.delayMs * 2, this.maxMs);
    this.entries.set(key, { delayMs, lastUpdate: this.now() });
    return delayMs;
  }

  /** How long until a retry is allowed after a failure at `since`; 0 when it is allowed now. */
  remaining(key: string, since: number): number {
    const entry = this.entries.get(key);
    if (!entry || this.expired(entry, since)) return 0;
    return Math.max(0, since + entry.delayMs - this.now());
  }

  /** The delay in force for `key` (for messages such as "back-off 20s"). */
  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  private expired(entry: { lastUpdate: number }, at: number): boolean {
    return at - entry.lastUpdate > 2 * this.maxMs;
  }
}

/** Go's Duration.String(), as Kubernetes' messages print durations: 10s, 2m40s, 5m0s, 200ms. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = `${Number(((ms % 60_000) / 1000).toFixed(3))}s`;
  return h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
}
