// SPDX-License-Identifier: Apache-2.0
// A Prometheus histogram for the per-request metrics, registered in a prom-client Registry.
//
// prom-client's own Histogram checks and hashes the label set on every observation, which costs
// more than the rest of a small prediction. The request metrics have few label sets (service x
// method x status code), so this one resolves a label set once to a `Series` that the caller
// keeps, and an observation is a bucket search and three additions. At scrape time it hands the
// registry the same values prom-client's Histogram would, so /prometheus reads the same.
import type { Registry } from 'prom-client';

/** One label set's counts. */
export class Series {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

interface Value {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

export class RequestHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly all = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    // The registry only calls get() and reset(); it accepts any object that provides them.
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The series for `labels` (which must name exactly the label names), created on first use. */
  series(labels: Record<string, string>): Series {
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let series = this.all.get(key);
    if (!series) {
      for (const n of this.labelNames) if (typeof labels[n] !== 'string') throw new Error(`${this.name}: label ${n} is missing`);
      series = new Series({ ...labels }, this.bounds);
      this.all.set(key, series);
    }
    return series;
  }

  /** The values in prom-client's shape: cumulative `_bucket`s with `le`, then `_sum` and `_count`. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Value[] }> {
    const values: Value[] = [];
    for (const series of this.all.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += series.counts[i];
        values.push({ labels: { le: bound, ...series.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...series.labels }, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.all.clear();
  }
}
