// SPDX-License-Identifier: Apache-2.0
// The operator's configuration file: the default one loads, and a broken one is refused with every
// problem named by its path.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOperatorConfig, loadOperatorConfig, OperatorConfigError, parseOperatorConfig, serverImageFor } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'seldon-lab-operator-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('operator configuration', () => {
  it('loads cluster/operator-config.yaml with Seldon 1.11\'s images', () => {
    const config = defaultOperatorConfig();
    expect(serverImageFor(config, 'SKLEARN_SERVER', 'seldon')?.image).toBe('seldonio/sklearnserver:1.11.0');
    expect(serverImageFor(config, 'XGBOOST_SERVER', 'seldon')?.image).toBe('seldonio/xgboostserver:1.11.0');
    expect(serverImageFor(config, 'MLFLOW_SERVER', 'seldon')).toBeUndefined();
    expect(config.storageInitializer.image).toBe('seldonio/rclone-storage-initializer:1.11.0');
    expect(config.ingress).toBe('ambassador-v3alpha1');
    expect(config.ports).toEqual({ http: 9000, metrics: 6000, predictor: 8000 });
    expect(config.defaultUserId).toBe(8888);
  });

  it('hands out copies: changing one does not change the next', () => {
    defaultOperatorConfig().predictorServers.SKLEARN_SERVER.protocols.seldon!.image = 'changed';
    expect(defaultOperatorConfig().predictorServers.SKLEARN_SERVER.protocols.seldon!.image).toBe('seldonio/sklearnserver');
  });

  it('names every problem of a broken file by its path', () => {
    const broken = {
      predictorServers: { SKLEARN_SERVER: { protocols: { seldon: { image: 42 }, grpc: { image: 'x' } } } },
      storageInitializer: { image: 'init', cpuRequest: 'lots', cpuLimit: '1', memoryRequest: '100Mi', memoryLimit: '1Gi' },
      ingress: 'nginx',
      defaultUserId: 0,
      ports: { http: 9000, metrics: 70000, predictor: 8000 },
    };
    let error: unknown;
    try {
      parseOperatorConfig(broken, 'test.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OperatorConfigError);
    const message = (error as Error).message;
    expect(message).toContain('test.yaml is not a valid operator configuration');
    expect(message).toContain('predictorServers.SKLEARN_SERVER.protocols.seldon.image must be an image name');
    expect(message).toContain('predictorServers.SKLEARN_SERVER.protocols.grpc must be one of the protocols');
    expect(message).toContain('storageInitializer.cpuRequest must be a quantity');
    expect(message).toContain('ingress must be one of ambassador-v3alpha1, ambassador-v2, none');
    expect(message).toContain('defaultUserId must be a non-root user id');
    expect(message).toContain('ports.metrics must be a port number');
  });

  it('says which file it could not read or parse', () => {
    expect(() => loadOperatorConfig(join(dir, 'missing.yaml'))).toThrow(/Cannot read the operator configuration .*missing\.yaml.*--config/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'ingress: [unclosed');
    expect(() => loadOperatorConfig(bad)).toThrow(/bad\.yaml is not valid YAML/);
  });

  it('defaults the ambassador settings Seldon defaulted', () => {
    const config = parseOperatorConfig({ ...defaultOperatorConfig(), ambassador: undefined });
    expect(config.ambassador).toEqual({ hostname: '*', timeoutMs: 3000, ambassadorId: '' });
  });
});
