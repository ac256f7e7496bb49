// SPDX-License-Identifier: Apache-2.0
import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { KubeObject } from '../apiserver/types.js';
import { setUpVolumes, type VolumeSources } from './volumes.js';

let dir: string;
let configData: Record<string, string>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubelet-volumes-'));
  configData = { 'app.conf': 'level=debug\n', other: 'x' };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const addresses = { podIP: '127.1.0.9', hostIP: '127.0.0.1' };
const sources: VolumeSources = {
  configMap: (_ns, name) => (name === 'cfg' ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: configData } : undefined),
  secret: (_ns, name) => (name === 'creds' ? { apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: { token: Buffer.from('s3cret').toString('base64') } } : undefined),
};
const pod = (volumes: unknown[]): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', uid: 'u', labels: { app: 'web', tier: 'front' } },
  spec: { containers: [{ name: 'c', resources: { limits: { memory: '64Mi' } } }], volumes },
});

it('lays volumes out as the kubelet does, with items, modes and decoded secrets', async () => {
  const dirs = await setUpVolumes(
    pod([
      { name: 'scratch', emptyDir: {} },
      { name: 'config', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o600 }] } },
      { name: 'secret', secret: { secretName: 'creds', defaultMode: 0o400 } },
      { name: 'podinfo', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } }] } },
    ]),
    dir,
    sources,
    addresses,
  );
  expect(dirs.get('scratch')).toBe(join(dir, 'volumes', 'kubernetes.io~empty-dir', 'scratch'));
  expect(readdirSync(dirs.get('scratch')!)).toEqual([]);
  const config = dirs.get('config')!;
  expect(config).toBe(join(dir, 'volumes', 'kubernetes.io~config-map', 'config'));
  expect(readFileSync(join(config, 'conf', 'app.conf'), 'utf8')).toBe('level=debug\n');
  expect(statSync(join(config, 'conf', 'app.conf')).mode & 0o777).toBe(0o600);
  expect(readdirSync(config).filter((n) => !n.startsWith('..'))).toEqual(['conf']);
  expect(readFileSync(join(dirs.get('secret')!, 'token'), 'utf8')).toBe('s3cret');
  expect(statSync(join(dirs.get('secret')!, 'token')).mode & 0o777).toBe(0o400);
  expect(readFileSync(join(dirs.get('podinfo')!, 'labels'), 'utf8')).toBe('app="web"\ntier="front"');
  expect(readFileSync(join(dirs.get('podinfo')!, 'mem'), 'utf8')).toBe('64');
});

it('follows its ConfigMap: a second set-up swaps the files in atomically and drops removed keys', async () => {
  const spec = pod([{ name: 'config', configMap: { name: 'cfg' } }]);
  const dirs = await setUpVolumes(spec, dir, sources, addresses);
  const config = dirs.get('config')!;
  expect(lstatSync(join(config, 'other')).isSymbolicLink()).toBe(true);
  configData = { 'app.conf': 'level=info\n' };
  await setUpVolumes(spec, dir, sources, addresses);
  expect(readFileSync(join(config, 'app.conf'), 'utf8')).toBe('level=info\n');
  expect(readdirSync(config).filter((n) => !n.startsWith('..'))).toEqual(['app.conf']);
  expect(readdirSync(config).filter((n) => n.startsWith('..2') || n.startsWith('..1'))).toHaveLength(1);
});

it('refuses missing sources, missing keys, paths that leave the volume, and volume types it cannot mount', async () => {
  await expect(setUpVolumes(pod([{ name: 'v', configMap: { name: 'nope' } }]), dir, sources, addresses)).rejects.toThrow('MountVolume.SetUp failed for volume "v" : configmap "nope" not found');
  await expect(setUpVolumes(pod([{ name: 'v', configMap: { name: 'cfg', items: [{ key: 'zz', path: 'zz' }] } }]), dir, sources, addresses)).rejects.toThrow('configmap references non-existent config key: zz');
  await expect(setUpVolumes(pod([{ name: 'v', configMap: { name: 'cfg', items: [{ key: 'other', path: '../../escape' }] } }]), dir, sources, addresses)).rejects.toThrow(/must be relative and may not contain '\.\.'/);
  await expect(setUpVolumes(pod([{ name: 'v', hostPath: { path: '/etc' } }]), dir, sources, addresses)).rejects.toThrow(/mounts emptyDir, configMap, secret, downwardAPI, projected volumes, not hostPath/);
  const dirs = await setUpVolumes(pod([{ name: 'v', configMap: { name: 'nope', optional: true } }]), dir, sources, addresses);
  expect(readdirSync(dirs.get('v')!).filter((n) => !n.startsWith('..'))).toEqual([]);
});
