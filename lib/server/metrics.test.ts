// SPDX-License-Identifier: Apache-2.0
// Metrics as Prometheus reads them: Seldon's names and labels, the request histogram's text form,
// the model's custom metrics by type, and bad custom metrics skipped with one warning.
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ServerMetrics } from './metrics.js';
import { RequestHistogram } from './request-histogram.js';

const UNIT = { unitId: 'classifier', image: 'seldonio/sklearnserver:1.11.0', predictorName: 'default', predictorVersion: 'v1', deploymentName: 'iris-model' };

describe('RequestHistogram', () => {
  it('writes the same text as prom-client\'s own Histogram for the same observations', async () => {
    const buckets = [0.005, 0.01, 0.1, 1];
    const ours = new Registry();
    const theirs = new Registry();
    const fast = new RequestHistogram('t_seconds', 'help text', ['service', 'code'], buckets, ours);
    const reference = new Histogram({ name: 't_seconds', help: 'help text', labelNames: ['service', 'code'], buckets, registers: [theirs] });
    for (const [service, code, v] of [['a', '200', 0.001], ['a', '200', 0.05], ['a', '200', 3], ['b', '500', 0.01], ['a', '200', 0.005]] as const) {
      fast.series({ service, code }).observe(v);
      reference.observe({ service, code }, v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});

describe('ServerMetrics', () => {
  it('labels request metrics as Seldon\'s executor does', async () => {
    const metrics = new ServerMetrics(UNIT);
    metrics.observeRequest('predictions', 'POST', 200, 0.002);
    metrics.observeModel('predictions', 'POST', 200, 0.001);
    const text = (await metrics.render()).body;
    expect(text).toContain('seldon_api_executor_server_requests_seconds_bucket{le="0.005",deployment_name="iris-model",predictor_name="default",predictor_version="v1",service="predictions",method="post",code="200"} 1');
    expect(text).toContain('seldon_api_executor_client_requests_seconds_count{deployment_name="iris-model",predictor_name="default",predictor_version="v1",service="predictions",model_name="classifier",model_image="seldonio/sklearnserver",model_version="1.11.0",method="post",code="200"} 1');
    expect(text).not.toContain('_summary');
  });

  it('keeps the executor\'s _summary metrics when asked', async () => {
    const metrics = new ServerMetrics(UNIT, () => {}, { summaries: true });
    metrics.observeRequest('predictions', 'POST', 200, 0.002);
    expect((await metrics.render()).body).toMatch(/^seldon_api_executor_server_requests_seconds_summary\{quantile="0\.5",.*\} 0\.002$/m);
  });

  it('exports custom COUNTER, GAUGE and TIMER metrics with the unit\'s labels, NOT_IMPLEMENTED outside a pod', async () => {
    const metrics = new ServerMetrics({});
    metrics.recordCustom([
      { key: 'hits', type: 'COUNTER', value: 2, tags: { route: 'a' } },
      { key: 'hits', type: 'COUNTER', value: 3, tags: { route: 'a' } },
      { key: 'queue', type: 'GAUGE', value: 7 },
      { key: 'queue', type: 'GAUGE', value: 4 },
      { key: 'infer_ms', type: 'TIMER', value: 20 },
    ]);
    const text = (await metrics.render()).body;
    expect(text).toMatch(/^hits\{.*route="a".*\} 5$/m);
    expect(text).toMatch(/^queue\{.*\} 4$/m);
    expect(text).toMatch(/^infer_ms_sum\{.*\} 0\.02$/m);
    expect(text).toMatch(/^hits\{route="a",deployment_name="NOT_IMPLEMENTED",.*model_name="NOT_IMPLEMENTED",.*worker_id="\d+"\}/m);
  });

  it('skips bad custom metrics with one warning each, and goes on', async () => {
    const warnings: string[] = [];
    const metrics = new ServerMetrics(UNIT, (m) => warnings.push(m));
    const bad = [
      { key: 'bad name', type: 'COUNTER' as const, value: 1 },
      { key: 'down', type: 'COUNTER' as const, value: -1 },
      { key: 'nan', type: 'GAUGE' as const, value: NaN },
    ];
    metrics.recordCustom(bad);
    metrics.recordCustom(bad);
    metrics.recordCustom([{ key: 'fine', type: 'COUNTER', value: 1 }]);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/"bad name" was not recorded: a metric name may hold only/);
    expect(warnings[1]).toMatch(/"down" was not recorded/);
    expect((await metrics.render()).body).toMatch(/^fine\{.*\} 1$/m);
  });

  it('counts feedback rewards, but not a reward of 0', async () => {
    const metrics = new ServerMetrics(UNIT);
    metrics.recordReward(0);
    metrics.recordReward(0.25);
    metrics.recordReward(1);
    const text = (await metrics.render()).body;
    expect(text).toMatch(/^seldon_api_model_feedback\{.*\} 2$/m);
    expect(text).toMatch(/^seldon_api_model_feedback_reward\{.*\} 1\.25$/m);
  });
});
