// SPDX-License-Identifier: Apache-2.0
// Defaults, per-call overrides and the Python client's validation messages.
import { describe, expect, it } from 'vitest';
import { SeldonClientException } from './errors.js';
import { DEFAULTS, gatherArgs, resolveConfig, validateArgs, type SeldonClientConfig } from './options.js';

const base = resolveConfig({});

describe('defaults', () => {
  it("are the Python client's", () => {
    expect(base).toMatchObject({
      gateway: 'ambassador',
      transport: 'rest',
      payloadType: 'tensor',
      gatewayEndpoint: 'localhost:8003',
      microserviceEndpoint: 'localhost:5000',
      clientReturnType: 'dict',
      debug: false,
    });
    expect(base.namespace).toBeUndefined();
    expect(base.deploymentName).toBeUndefined();
    expect(DEFAULTS.timeoutMs).toBeGreaterThan(0);
  });
});

describe('gatherArgs', () => {
  it('lets a call override the configuration, except with undefined or null (as Python skips None)', () => {
    const config = resolveConfig({ deploymentName: 'a', namespace: 'seldon' });
    const args = gatherArgs(config, { deploymentName: 'b', namespace: undefined, gatewayEndpoint: null as unknown as string });
    expect(args.deploymentName).toBe('b');
    expect(args.namespace).toBe('seldon');
    expect(args.gatewayEndpoint).toBe('localhost:8003');
  });

  it('leaves the configuration itself alone', () => {
    const config = resolveConfig({ deploymentName: 'a' });
    gatherArgs(config, { deploymentName: 'b' });
    expect(config.deploymentName).toBe('a');
  });
});

describe('validateArgs', () => {
  const check = (override: Partial<Record<keyof SeldonClientConfig | 'method', unknown>>) => () =>
    validateArgs({ ...base, ...override } as SeldonClientConfig);

  it.each([
    [{ gateway: 'nginx' }, "Valid values for gateway are 'ambassador', 'istio', or 'seldon' (got 'nginx')"],
    [{ transport: 'http' }, "Valid values for transport are 'rest' or 'grpc' (got 'http')"],
    [{ method: 'train' }, "Valid values for method are 'predict', 'route', 'transform-input', 'transform-output', 'aggregate' or None"],
    [{ clientReturnType: 'json' }, 'Valid values for client_return_type are proto or dict'],
    [{ payloadType: 'matrix' }, "Valid values for payload_type are 'tensor' or 'ndarray'"],
  ])('rejects %j with the Python message', (override, message) => {
    expect(check(override)).toThrow(SeldonClientException);
    expect(check(override)).toThrow(message);
  });

  it('says plainly what this kit does not support, and what to use instead', () => {
    expect(check({ transport: 'grpc' })).toThrow(/'grpc' is not supported in this kit.*transport: 'rest'/);
    expect(check({ payloadType: 'tftensor' })).toThrow(/'tftensor' is not supported in this kit.*'tensor' or 'ndarray'/);
    expect(check({ clientReturnType: 'proto' })).toThrow(/'proto' is not supported in this kit.*'dict'/);
  });

  it('catches endpoints written as URLs and prefixes without a slash', () => {
    expect(check({ gatewayEndpoint: 'http://localhost:8003' })).toThrow(/host:port without a scheme/);
    expect(check({ microserviceEndpoint: '' })).toThrow(/microservice_endpoint must be a host:port/);
    expect(check({ gatewayPrefix: 'seldon/x' })).toThrow(/must start with '\/'/);
    expect(check({ timeoutMs: -1 })).toThrow(/timeoutMs/);
  });

  it('accepts every valid combination', () => {
    for (const gateway of ['ambassador', 'istio', 'seldon']) {
      for (const payloadType of ['tensor', 'ndarray']) {
        for (const method of [undefined, 'predict', 'route', 'aggregate', 'transform-input', 'transform-output', 'send-feedback']) {
          expect(check({ gateway, payloadType, method })).not.toThrow();
        }
      }
    }
  });
});

describe('resolveConfig', () => {
  it('fails where the client is made, not at the first call', () => {
    expect(() => resolveConfig({ gateway: 'kong' as never })).toThrow("Valid values for gateway are 'ambassador', 'istio', or 'seldon'");
  });
});
