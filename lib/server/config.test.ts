// SPDX-License-Identifier: Apache-2.0
// Flags over Seldon's environment: the same command configures itself in a pod and on a laptop.
import { describe, expect, it } from 'vitest';
import { implementationOfImage, readServeConfig, UsageError } from './config.js';
import { SEED_CLASSIFIER_ENV } from './testing/seed-env.js';

describe('readServeConfig', () => {
  it('configures itself from Seldon\'s environment alone', () => {
    const config = readServeConfig([], SEED_CLASSIFIER_ENV);
    expect(config).toMatchObject({
      implementation: 'SKLEARN_SERVER',
      modelUri: '/mnt/models',
      httpPort: 9000,
      host: '0.0.0.0',
      name: 'classifier',
      metricsPort: 6000,
      metricsPath: '/prometheus',
      corsOrigins: '*',
      unit: { unitId: 'classifier', image: 'seldonio/sklearnserver:1.11.0', predictorName: 'default', predictorVersion: 'default', deploymentName: 'iris-model' },
    });
  });

  it('lets flags win over the environment', () => {
    const config = readServeConfig(['--http-port', '9100', '--method', 'predict', '--name', 'iris', '--model-uri', 'gs://b/m', '--host', '127.0.0.1'], SEED_CLASSIFIER_ENV);
    expect(config).toMatchObject({ httpPort: 9100, name: 'iris', modelUri: 'gs://b/m', host: '127.0.0.1' });
    expect(config.parameters.method).toBe('predict');
  });

  it('gives a local serve the seed\'s image for its requestPath', () => {
    const config = readServeConfig(['--implementation', 'SKLEARN_SERVER', '--model-uri', 'gs://seldon-models/v1.11.0-dev/sklearn/iris', '--name', 'classifier'], {});
    expect(config.unit).toMatchObject({ unitId: 'classifier', image: 'seldonio/sklearnserver:1.11.0' });
    expect(config.httpPort).toBe(9000);
  });

  it('falls back to PREDICTIVE_UNIT_SERVICE_PORT, and reads CORS origins', () => {
    const config = readServeConfig(['--implementation', 'XGBOOST_SERVER', '--model-uri', '/m'], { PREDICTIVE_UNIT_SERVICE_PORT: '9001', CORS_ALLOWED_ORIGINS: 'http://a, http://b' });
    expect(config.httpPort).toBe(9001);
    expect(config.corsOrigins).toEqual(['http://a', 'http://b']);
  });

  it('refuses what cannot work, with the reason', () => {
    const usage = (argv: string[], env: NodeJS.ProcessEnv = {}): string => {
      try {
        readServeConfig(argv, env);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(usage([])).toMatch(/Nothing to serve/);
    expect(usage(['--implementation', 'SKLEARN_SERVER'])).toMatch(/needs --model-uri/);
    expect(usage(['--implementation', 'SKLEARN_SERVER', '--model-uri', '/m', '--http-port', '70000'])).toMatch(/HTTP port must be a whole number from 0 to 65535/);
    expect(usage(['--model-module', 'x.ts', '--bogus'])).toMatch(/bogus/);
    expect(usage([], { ...SEED_CLASSIFIER_ENV, PREDICTIVE_UNIT_PARAMETERS: '[{"name":"n","value":"x","type":"INT"}]' })).toMatch(/Bad model parameter: n with value x/);
  });
});

describe('implementationOfImage', () => {
  it('knows Seldon\'s prepackaged images', () => {
    expect(implementationOfImage('seldonio/sklearnserver:1.11.0')).toBe('SKLEARN_SERVER');
    expect(implementationOfImage('docker.io/seldonio/xgboostserver:1.11.0')).toBe('XGBOOST_SERVER');
    expect(implementationOfImage('my/model:1')).toBeUndefined();
  });
});
