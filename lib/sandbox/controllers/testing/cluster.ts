// SPDX-License-Identifier: Apache-2.0
// Test helpers for the controllers: a cluster (API + controllers) per test, and `eventually`,
// which waits for a condition with a deadline instead of sleeping a fixed time.
import type { KubeObject } from '../../apiserver/types.js';
import { refs, type ApiHandle, type ResourceRef } from '../../apiserver/api.js';
import { startSandbox } from '../../index.js';
import { startControllers, type ControllerOptions, type Controllers } from '../index.js';
import { RecordingApi } from './recording-api.js';
import { waitFor } from '../../../kube/wait.js';

export interface TestCluster {
  /** the API the test and the controllers use, counting writes and able to fail requests */
  api: RecordingApi;
  controllers: Controllers;
  /** ends every watch, as a lost connection does */
  dropWatches(): void;
  stop(): Promise<void>;
}

/**
 * The controllers on a fresh sandbox API server (the real one, lib/sandbox, with its own
 * controllers off), pods becoming ready at once unless told otherwise. The controllers talk to it
 * through a RecordingApi, so tests can count writes and inject failures.
 */
export async function startTestCluster(opts: ControllerOptions = {}): Promise<TestCluster> {
  const sandbox = await startSandbox({ controllers: false });
  const api = new RecordingApi(sandbox.api);
  const controllers = startControllers(api, { readyPods: true, ...opts });
  try {
    await controllers.synced();
  } catch (error) {
    await controllers.stop();
    await sandbox.stop();
    throw error;
  }
  return {
    api,
    controllers,
    dropWatches: () => void sandbox.core.watches.dropAll(),
    stop: async () => {
      await controllers.stop();
      await sandbox.stop();
    },
  };
}

/** Polls `probe` until it returns something other than undefined/false (lib/kube/wait.ts). */
export function eventually<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  return waitFor(what, probe, { timeoutMs, done: (v) => v !== undefined && v !== false });
}

/** Waits until the controllers have had nothing to do for a few polls in a row. */
export async function quiet(controllers: Controllers, timeoutMs = 10_000): Promise<void> {
  let calm = 0;
  await eventually('the controllers to become idle', () => {
    calm = controllers.idle() ? calm + 1 : 0;
    return calm >= 5;
  }, timeoutMs);
}

/** The object, or undefined if it does not exist. */
export async function find(api: ApiHandle, ref: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  try {
    return await api.get(ref, namespace, name);
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

export async function listOf(api: ApiHandle, ref: ResourceRef, namespace = 'default'): Promise<KubeObject[]> {
  return (await api.list(ref, { namespace })).items;
}

/** A small Deployment of `replicas` pods running `image`. */
export function deployment(name: string, replicas: number, image = 'nginx:1.25', extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image, ports: [{ name: 'http', containerPort: 8080 }] }] },
      },
      ...extra,
    },
  };
}

export function configMap(name: string, namespace = 'default', metadata: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...metadata }, data: { key: name } };
}

export { refs };

