// SPDX-License-Identifier: Apache-2.0
import { expect, it } from 'vitest';
import { hostPathFor, listenAddressFor } from './runtime-env.js';

const env = { SELDON_LAB_MOUNTS: JSON.stringify({ '/mnt/models': '/tmp/pod/models', '/mnt': '/tmp/pod/mnt', '/etc/podinfo': '/tmp/pod/info' }), SELDON_LAB_BIND_ADDRESS: '127.1.0.7' };

it('finds a container path under the mount that holds it, the longest first', () => {
  expect(hostPathFor('/mnt/models', env)).toBe('/tmp/pod/models');
  expect(hostPathFor('/mnt/models/model.joblib', env)).toBe('/tmp/pod/models/model.joblib');
  expect(hostPathFor('/mnt/other', env)).toBe('/tmp/pod/mnt/other');
  expect(hostPathFor('/mnt/models/../x', env)).toBe('/tmp/pod/mnt/x');
  expect(hostPathFor('/mnt/modelsX', env)).toBe('/tmp/pod/mnt/modelsX');
});

it('changes nothing outside the mounts, for relative paths, or without a mount table', () => {
  expect(hostPathFor('/var/data', env)).toBe('/var/data');
  expect(hostPathFor('models/iris', env)).toBe('models/iris');
  expect(hostPathFor('/mnt/models', {})).toBe('/mnt/models');
});

it('listens on the pod address when asked for every address', () => {
  expect(listenAddressFor(undefined, env)).toBe('127.1.0.7');
  expect(listenAddressFor('0.0.0.0', env)).toBe('127.1.0.7');
  expect(listenAddressFor('::', env)).toBe('127.1.0.7');
  expect(listenAddressFor('127.0.0.1', env)).toBe('127.0.0.1');
  expect(listenAddressFor('0.0.0.0', {})).toBe('0.0.0.0');
});
