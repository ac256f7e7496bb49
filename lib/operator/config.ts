// SPDX-License-Identifier: Apache-2.0
// The operator's configuration: the implementation -> image map (Seldon's `predictor_servers`), the
// storage initializer, the ingress flavour, the user id and the port numbers. It lives in a YAML
// file (cluster/operator-config.yaml by default; a ConfigMap in the Helm chart), never in code, so
// a cluster can point SKLEARN_SERVER at another image without rebuilding the operator.
import { readFileSync } from 'node:fs';
import type { V1ResourceRequirements } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { fromRoot } from '../paths.js';
import type { Protocol } from './types.js';
import { hostPathFor } from '../server/container-env.js';

/** The default configuration file, relative to the repository root. */
export const DEFAULT_OPERATOR_CONFIG_PATH = 'cluster/operator-config.yaml';

export type IngressFlavour = 'ambassador-v3alpha1' | 'ambassador-v2' | 'none';
export const INGRESS_FLAVOURS: readonly IngressFlavour[] = ['ambassador-v3alpha1', 'ambassador-v2', 'none'];

/** One entry of `predictorServers.<IMPL>.protocols.<protocol>`. */
export interface ServerImage {
  image: string;
  defaultImageVersion?: string;
  /** for an image whose entry point is not the server */
  command?: string[];
  args?: string[];
}

export interface OperatorConfig {
  predictorServers: Record<string, { protocols: Partial<Record<Protocol, ServerImage>> }>;
  storageInitializer: {
    image: string;
    command?: string[];
    cpuRequest: string;
    cpuLimit: string;
    memoryRequest: string;
    memoryLimit: string;
  };
  ingress: IngressFlavour;
  ambassador: { hostname: string; timeoutMs: number; ambassadorId: string };
  defaultUserId: number;
  ports: { http: number; metrics: number; predictor: number };
  /** for prepackaged model containers that the SeldonDeployment gives no resources */
  modelResources?: V1ResourceRequirements;
}

/** The configuration is unusable; the message names the file, the field and what would work. */
export class OperatorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OperatorConfigError';
  }
}

/** Reads and checks a configuration file (default: cluster/operator-config.yaml). */
export function loadOperatorConfig(path?: string): OperatorConfig {
  const file = path ?? fromRoot(DEFAULT_OPERATOR_CONFIG_PATH);
  let text: string;
  try {
    // A mounted ConfigMap: in the sandbox the container path lives in the pod's volume folder.
    text = readFileSync(hostPathFor(file), 'utf8');
  } catch (e) {
    throw new OperatorConfigError(`Cannot read the operator configuration ${file}: ${(e as Error).message}. Pass --config with the path of a file like ${DEFAULT_OPERATOR_CONFIG_PATH}.`);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    throw new OperatorConfigError(`${file} is not valid YAML: ${(e as Error).message}`);
  }
  return parseOperatorConfig(data, file);
}

let defaultConfig: OperatorConfig | undefined;

/** cluster/operator-config.yaml, read once; each call returns a fresh copy. */
export function defaultOperatorConfig(): OperatorConfig {
  defaultConfig ??= loadOperatorConfig();
  return structuredClone(defaultConfig);
}

/**
 * Checks parsed YAML (or any object) and returns it typed. Every problem is reported at once,
 * each with its path, e.g. `predictorServers.SKLEARN_SERVER.protocols.seldon.image must be a string`.
 */
export function parseOperatorConfig(data: unknown, source = 'the operator configuration'): OperatorConfig {
  const problems: string[] = [];
  const need = (ok: boolean, path: string, what: string): boolean => {
    if (!ok) problems.push(`${path} must be ${what}`);
    return ok;
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';
  const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  const isPort = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536;

  if (!need(isObject(data), 'the file', 'a YAML mapping (predictorServers:, storageInitializer:, ...)')) {
    throw new OperatorConfigError(`${source}: the file must be a YAML mapping (predictorServers:, storageInitializer:, ...)`);
  }
  const c = data as Record<string, unknown>;

  if (need(isObject(c.predictorServers), 'predictorServers', 'a mapping of implementation names, e.g. SKLEARN_SERVER: {protocols: {seldon: {image: ...}}}')) {
    for (const [impl, entry] of Object.entries(c.predictorServers as Record<string, unknown>)) {
      const at = `predictorServers.${impl}`;
      if (!need(isObject(entry) && isObject(entry.protocols), `${at}.protocols`, 'a mapping of protocols (seldon, v2, ...)')) continue;
      for (const [protocol, image] of Object.entries((entry as { protocols: Record<string, unknown> }).protocols)) {
        const p = `${at}.protocols.${protocol}`;
        need(['seldon', 'tensorflow', 'kfserving', 'v2'].includes(protocol), p, 'one of the protocols seldon, tensorflow, kfserving or v2');
        if (!need(isObject(image), p, 'a mapping with an image')) continue;
        const img = image as Record<string, unknown>;
        need(isString(img.image), `${p}.image`, 'an image name such as seldonio/sklearnserver');
        if (img.defaultImageVersion !== undefined) need(isString(img.defaultImageVersion), `${p}.defaultImageVersion`, 'a tag (quote numbers: "1.11.0")');
        if (img.command !== undefined) need(isStringList(img.command), `${p}.command`, 'a list of strings');
        if (img.args !== undefined) need(isStringList(img.args), `${p}.args`, 'a list of strings');
      }
    }
  }

  const si = c.storageInitializer;
  if (need(isObject(si), 'storageInitializer', 'a mapping with image, cpuRequest, cpuLimit, memoryRequest and memoryLimit')) {
    const s = si as Record<string, unknown>;
    need(isString(s.image), 'storageInitializer.image', 'an image name');
    for (const key of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit']) {
      need(isString(s[key]) && QUANTITY.test(s[key] as string), `storageInitializer.${key}`, 'a quantity such as 100m, "1", 100Mi or 1Gi (quoted)');
    }
    if (s.command !== undefined) need(isStringList(s.command), 'storageInitializer.command', 'a list of strings');
  }

  need(INGRESS_FLAVOURS.includes(c.ingress as IngressFlavour), 'ingress', `one of ${INGRESS_FLAVOURS.join(', ')}`);
  const amb = (c.ambassador ?? {}) as Record<string, unknown>;
  if (need(isObject(amb), 'ambassador', 'a mapping (hostname, timeoutMs, ambassadorId)')) {
    if (amb.hostname !== undefined) need(isString(amb.hostname), 'ambassador.hostname', 'a host name or "*"');
    if (amb.timeoutMs !== undefined) need(Number.isInteger(amb.timeoutMs) && (amb.timeoutMs as number) > 0, 'ambassador.timeoutMs', 'a positive whole number of milliseconds');
    if (amb.ambassadorId !== undefined) need(typeof amb.ambassadorId === 'string', 'ambassador.ambassadorId', 'a string ("" for the default Emissary)');
  }
  need(Number.isInteger(c.defaultUserId) && (c.defaultUserId as number) > 0, 'defaultUserId', 'a non-root user id (a whole number above 0), Seldon uses 8888');
  const ports = c.ports as Record<string, unknown> | undefined;
  if (need(isObject(ports), 'ports', 'a mapping with http, metrics and predictor')) {
    for (const key of ['http', 'metrics', 'predictor']) need(isPort(ports![key]), `ports.${key}`, 'a port number (1-65535)');
  }
  if (c.modelResources !== undefined) need(isObject(c.modelResources), 'modelResources', 'a mapping with requests and/or limits');

  if (problems.length > 0) {
    throw new OperatorConfigError(`${source} is not a valid operator configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return {
    predictorServers: c.predictorServers as OperatorConfig['predictorServers'],
    storageInitializer: c.storageInitializer as OperatorConfig['storageInitializer'],
    ingress: c.ingress as IngressFlavour,
    ambassador: {
      hostname: (amb.hostname as string | undefined) ?? '*',
      timeoutMs: (amb.timeoutMs as number | undefined) ?? 3000,
      ambassadorId: (amb.ambassadorId as string | undefined) ?? '',
    },
    defaultUserId: c.defaultUserId as number,
    ports: c.ports as OperatorConfig['ports'],
    modelResources: c.modelResources as V1ResourceRequirements | undefined,
  };
}

/** Kubernetes quantities: a number, an optional exponent or suffix (m, k, Mi, Gi, ...). */
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?$/;

/**
 * The image (and optional entry point) that serves `implementation` over `protocol`, as Seldon
 * builds it: `<image>:<defaultImageVersion>`. Undefined when the map has no such entry.
 */
export function serverImageFor(config: OperatorConfig, implementation: string, protocol: Protocol): ServerImage | undefined {
  const entry = config.predictorServers[implementation]?.protocols[protocol];
  if (!entry) return undefined;
  const image = entry.defaultImageVersion ? `${entry.image}:${entry.defaultImageVersion}` : entry.image;
  return { ...entry, image };
}
