// SPDX-License-Identifier: Apache-2.0
// Seldon's naming: plain names when they fit, `seldon-<md5>` when they do not.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { containerServiceName, deploymentName, externalPrefix, hashIfLong, initContainerName, predictorServiceName, seldonId, truncate63 } from './names.js';
import { sampleManifest } from './testing/fixtures.js';

describe('Seldon\'s names', () => {
  const sdep = sampleManifest();
  const predictor = sdep.spec.predictors[0];

  it('joins sdep, predictor, index and containers for a Deployment', () => {
    expect(deploymentName(sdep, predictor, { spec: { containers: [{ name: 'classifier' }] } }, 0)).toBe('iris-model-default-0-classifier');
    expect(deploymentName(sdep, predictor, { spec: { containers: [{ name: 'a' }, { name: 'b' }] } }, 1)).toBe('iris-model-default-1-a-b');
    expect(deploymentName(sdep, predictor, { metadata: { name: 'mine' }, spec: { containers: [{ name: 'a' }] } }, 0)).toBe('iris-model-default-0-mine');
  });

  it('names the Services after the predictor and the container, unless seldon.io/svc-name says otherwise', () => {
    expect(predictorServiceName(sdep, predictor)).toBe('iris-model-default');
    expect(containerServiceName(sdep, predictor, 'classifier')).toBe('iris-model-default-classifier');
    expect(predictorServiceName(sdep, { ...predictor, annotations: { 'seldon.io/svc-name': 'iris' } })).toBe('iris');
  });

  it('replaces a name over 63 characters with seldon-<md5 of the name>', () => {
    const long = 'x'.repeat(64);
    expect(hashIfLong(long)).toBe(`seldon-${createHash('md5').update(long).digest('hex')}`);
    expect(hashIfLong('x'.repeat(63))).toBe('x'.repeat(63));
    expect(seldonId({ ...sdep, metadata: { name: long } })).toMatch(/^seldon-[0-9a-f]{32}$/);
  });

  it('cuts init container and volume names to 63 characters without a trailing dash', () => {
    const name = initContainerName(`${'c'.repeat(45)}`);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name.endsWith('-')).toBe(false);
    expect(truncate63(`${'a'.repeat(62)}-b`)).toBe('a'.repeat(62));
  });

  it('puts the external path under /seldon/<namespace>/<name>/', () => {
    expect(externalPrefix('seldon', sdep)).toBe('/seldon/seldon/iris-model/');
    expect(externalPrefix('seldon', { ...sdep, spec: { ...sdep.spec, annotations: { 'seldon.io/ambassador-service-name': 'iris' } } })).toBe('/seldon/seldon/iris/');
  });
});
