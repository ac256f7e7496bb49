// SPDX-License-Identifier: Apache-2.0
// Prometheus metrics with Seldon's names and labels, served at GET /prometheus.
//
// Two sources, as in a Seldon pod:
// - The executor's request metrics: `seldon_api_executor_server_requests_seconds`, a histogram of
//   every API call, labelled deployment_name, predictor_name, predictor_version,
//   service (predictions, feedback, metadata, status), method (lowercase HTTP verb) and code; and
//   `seldon_api_executor_client_requests_seconds` for the time spent inside the model, with the
//   model's name, image and version added. The executor also keeps a `_summary` of each; ours are
//   opt-in (`summaries: true`), because a summary's quantile sketch costs more per request than
//   the rest of the request path, and `histogram_quantile()` gives the same percentiles.
// - The model's custom metrics, as Seldon's Python wrapper exports them: each `{key, type, value,
//   tags}` the model reports becomes a counter (COUNTER), a gauge (GAUGE) or a histogram in
//   seconds of a millisecond value (TIMER), labelled with its tags plus the unit's labels and
//   worker_id. Feedback rewards count into `seldon_api_model_feedback(_reward)`.
//
// Each server has its own registry, so several servers can share one process (tests, notebooks).
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import type { SeldonMeta } from './model.js';
import { RequestHistogram } from './request-histogram.js';
import { NOT_IMPLEMENTED, splitImage, type UnitInfo } from './unit.js';

type CustomMetric = NonNullable<SeldonMeta['metrics']>[number];

/** The Go executor's default buckets (seconds). */
const EXECUTOR_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const EXECUTOR_PERCENTILES = [0.5, 0.9, 0.99];
/** Seldon's TIMER buckets: 50 steps spread logarithmically from 1 ms to 30 s. */
const TIMER_BUCKETS = Array.from({ length: 50 }, (_, i) => 10 ** (-3 + (i * (Math.log10(30) + 3)) / 49));

const SERVER_LABELS = ['deployment_name', 'predictor_name', 'predictor_version', 'service', 'method', 'code'] as const;
const CLIENT_LABELS = ['deployment_name', 'predictor_name', 'predictor_version', 'service', 'model_name', 'model_image', 'model_version', 'method', 'code'] as const;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Observer {
  observe(seconds: number): void;
}

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly server: RequestHistogram;
  private readonly serverSummary: Summary<string> | undefined;
  private readonly client: RequestHistogram;
  private readonly clientSummary: Summary<string> | undefined;
  /** Series by `service|method|code`, so a request does no label work (see request-histogram.ts). */
  private readonly serverChildren = new Map<string, Observer[]>();
  private readonly clientChildren = new Map<string, Observer[]>();
  private readonly custom = new Map<string, { metric: Counter<string> | Gauge<string> | Histogram<string>; labelNames: string[] }>();
  /** Labels every custom metric carries (Seldon's DEFAULT_LABELS plus worker_id). */
  private readonly unitLabels: Record<string, string>;
  private readonly base: { deployment_name: string; predictor_name: string; predictor_version: string };
  private readonly model: { model_name: string; model_image: string; model_version: string };
  private readonly warned = new Set<string>();

  constructor(
    unit: UnitInfo,
    private readonly warn: (message: string) => void = (m) => console.warn(m),
    options: { summaries?: boolean } = {},
  ) {
    const [imageName, imageVersion] = unit.image ? splitImage(unit.image) : [NOT_IMPLEMENTED, NOT_IMPLEMENTED];
    this.base = {
      deployment_name: unit.deploymentName ?? NOT_IMPLEMENTED,
      predictor_name: unit.predictorName ?? NOT_IMPLEMENTED,
      predictor_version: unit.predictorVersion ?? NOT_IMPLEMENTED,
    };
    this.model = { model_name: unit.unitId ?? NOT_IMPLEMENTED, model_image: imageName, model_version: imageVersion };
    this.unitLabels = {
      deployment_name: this.base.deployment_name,
      model_name: this.model.model_name,
      model_image: imageName,
      model_version: imageVersion,
      predictor_name: this.base.predictor_name,
      predictor_version: this.base.predictor_version,
      // Seldon keeps the pre-1.3 names too.
      seldon_deployment_name: this.base.deployment_name,
      image_name: imageName,
      image_version: imageVersion,
      worker_id: String(process.pid),
    };
    const registers = [this.registry];
    const name = 'seldon_api_executor_server_requests_seconds';
    this.server = new RequestHistogram(name, 'A histogram of latencies for executor server', SERVER_LABELS, EXECUTOR_BUCKETS, this.registry);
    this.serverSummary = options.summaries
      ? new Summary({ name: `${name}_summary`, help: 'A summary of latencies for executor server', labelNames: SERVER_LABELS, percentiles: EXECUTOR_PERCENTILES, registers })
      : undefined;
    const clientName = 'seldon_api_executor_client_requests_seconds';
    this.client = new RequestHistogram(clientName, 'A histogram of latencies for client calls from executor', CLIENT_LABELS, EXECUTOR_BUCKETS, this.registry);
    this.clientSummary = options.summaries
      ? new Summary({ name: `${clientName}_summary`, help: 'A summary of latencies for client calls from executor', labelNames: CLIENT_LABELS, percentiles: EXECUTOR_PERCENTILES, registers })
      : undefined;
  }

  /** One API call took `seconds` and answered `code`. */
  observeRequest(service: string, method: string, code: number, seconds: number): void {
    const key = `${service}|${method}|${code}`;
    let children = this.serverChildren.get(key);
    if (!children) {
      const labels = { ...this.base, service, method: method.toLowerCase(), code: String(code) };
      children = this.serverSummary ? [this.server.series(labels), this.serverSummary.labels(labels)] : [this.server.series(labels)];
      this.serverChildren.set(key, children);
    }
    for (const child of children) child.observe(seconds);
  }

  /** The model itself took `seconds` for `service` (the executor's "client" call). */
  observeModel(service: string, method: string, code: number, seconds: number): void {
    const key = `${service}|${method}|${code}`;
    let children = this.clientChildren.get(key);
    if (!children) {
      // In the Go executor's label order.
      const labels = { ...this.base, service, ...this.model, method: method.toLowerCase(), code: String(code) };
      children = this.clientSummary ? [this.client.series(labels), this.clientSummary.labels(labels)] : [this.client.series(labels)];
      this.clientChildren.set(key, children);
    }
    for (const child of children) child.observe(seconds);
  }

  /** Records a model's custom metrics the way Seldon's wrapper does. Bad entries are skipped with a warning. */
  recordCustom(metrics: readonly CustomMetric[]): void {
    for (const m of metrics) {
      try {
        this.recordOne(m);
      } catch (err) {
        this.warnOnce(`metric:${m.key}`, `Custom metric ${JSON.stringify(m.key)} was not recorded: ${(err as Error).message}`);
      }
    }
  }

  /** Feedback with a non-zero reward counts once and adds its reward (Seldon's `update_reward`). */
  recordReward(reward: number): void {
    if (!reward) return;
    this.recordCustom([
      { type: 'COUNTER', key: 'seldon_api_model_feedback', value: 1 },
      { type: 'COUNTER', key: 'seldon_api_model_feedback_reward', value: reward },
    ]);
  }

  /** The text exposition format, for GET /prometheus. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private recordOne(m: CustomMetric): void {
    const type = m.type ?? 'COUNTER';
    if (!METRIC_NAME.test(m.key)) throw new Error('a metric name may hold only letters, digits, _ and :, and must not start with a digit');
    if (typeof m.value !== 'number' || !Number.isFinite(m.value)) throw new Error(`its value ${String(m.value)} is not a finite number`);
    // Seldon puts the model's tags first and lets the unit's own labels win.
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.tags ?? {})) {
      if (!LABEL_NAME.test(k)) throw new Error(`tag ${JSON.stringify(k)} is not a valid Prometheus label name`);
      labels[k] = String(v);
    }
    Object.assign(labels, this.unitLabels);
    const labelNames = Object.keys(labels).sort();
    const id = `${type}:${m.key}`;
    let entry = this.custom.get(id);
    if (!entry) {
      if (this.registry.getSingleMetric(m.key)) throw new Error('the name is already used by a metric of another type');
      const options = { name: m.key, help: `custom ${type.toLowerCase()} reported by the model`, labelNames, registers: [this.registry] };
      const metric = type === 'GAUGE' ? new Gauge(options) : type === 'TIMER' ? new Histogram({ ...options, buckets: TIMER_BUCKETS }) : new Counter(options);
      entry = { metric, labelNames };
      this.custom.set(id, entry);
    }
    if (entry.labelNames.join(',') !== labelNames.join(',')) throw new Error(`its tags changed from ${entry.labelNames.join(',')} to ${labelNames.join(',')}; a metric keeps one set of tags`);
    if (entry.metric instanceof Counter) entry.metric.inc(labels, m.value);
    else if (entry.metric instanceof Gauge) entry.metric.set(labels, m.value);
    // TIMER values are milliseconds; the histogram is in seconds, as Seldon's.
    else entry.metric.observe(labels, m.value / 1000);
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(message);
  }
}
