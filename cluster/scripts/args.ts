// SPDX-License-Identifier: Apache-2.0
// The command lines of `npm run cluster:up`, `cluster:status` and `cluster:down` (pass options after
// `--`: `npm run cluster:up -- --cpus 4`). Bad options stop before anything runs, with the usage.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { INGRESS_FLAVOURS, MINIKUBE, type IngressFlavour } from './pins.js';

export class UsageError extends Error {
  constructor(message: string, readonly usage: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface UpOptions {
  profile: string;
  cpus: number;
  /** minikube's syntax: 4g, 4096m, 4096 */
  memory: string;
  /** e.g. v1.31.2 (default: what this minikube calls stable) */
  kubernetesVersion?: string;
  /** docker, podman, kvm2, ... (default: minikube picks) */
  driver?: string;
  ingress: IngressFlavour;
  /** use the images already in minikube */
  skipBuild: boolean;
  /** how long each wait may take */
  timeoutMs: number;
  help: boolean;
}

export interface StatusOptions {
  profile: string;
  help: boolean;
}

export interface DownOptions {
  profile: string;
  /** remove the minikube profile (cluster, images, everything) instead of stopping it */
  delete: boolean;
  /** only uninstall the kit's Helm releases; minikube keeps running */
  uninstall: boolean;
  help: boolean;
}

export const UP_USAGE = `usage: npm run cluster:up -- [options]

Starts minikube, builds the kit's images into it, installs Emissary-ingress and the operator
chart, waits until everything is ready and prints how to reach the ingress. Safe to run again.

options:
  --profile NAME             minikube profile, also the kubectl context (default ${MINIKUBE.profile})
  --cpus N                   CPUs for a new minikube machine (default ${MINIKUBE.cpus})
  --memory SIZE              memory for a new minikube machine, e.g. 4g (default ${MINIKUBE.memory})
  --kubernetes-version V     e.g. v1.31.2 (default: minikube's stable version; at least 1.${MINIKUBE.minKubernetesMinor})
  --driver NAME              minikube driver: docker, podman, kvm2, ... (default: minikube decides)
  --ingress FLAVOUR          ${INGRESS_FLAVOURS.join(' | ')} (default ${INGRESS_FLAVOURS[0]})
  --skip-build               do not build the images (they are already in minikube)
  --timeout MINUTES          how long to wait for each part to be ready (default 5)
  -h, --help                 this text
`;

export const STATUS_USAGE = `usage: npm run cluster:status -- [--profile NAME]

Says what runs: minikube, the kit's images, Emissary-ingress, the operator, SeldonDeployments,
and how to reach the ingress. Exits with 0 when everything is ready, 1 otherwise.
`;

export const DOWN_USAGE = `usage: npm run cluster:down -- [--profile NAME] [--uninstall | --delete]

Stops the minikube machine (it keeps the cluster and the images; cluster:up starts it again).
  --uninstall   only remove the kit's Helm releases (operator, Emissary); minikube keeps running
  --delete      delete the minikube profile: the cluster, its images, everything
`;

function parse(argv: string[], usage: string, options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message, usage);
  }
}

const PROFILE = /^[a-z0-9][a-z0-9-]{0,62}$/;

function profileOf(value: string | boolean | undefined, usage: string): string {
  const profile = (value as string | undefined) ?? MINIKUBE.profile;
  if (!PROFILE.test(profile)) throw new UsageError(`--profile must be lower-case letters, digits and dashes, not ${JSON.stringify(profile)}`, usage);
  return profile;
}

export function parseUpArgs(argv: string[]): UpOptions {
  const v = parse(argv, UP_USAGE, {
    profile: { type: 'string' },
    cpus: { type: 'string' },
    memory: { type: 'string' },
    'kubernetes-version': { type: 'string' },
    driver: { type: 'string' },
    ingress: { type: 'string' },
    'skip-build': { type: 'boolean' },
    timeout: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const cpus = v.cpus === undefined ? MINIKUBE.cpus : Number(v.cpus);
  if (!Number.isInteger(cpus) || cpus < 2) throw new UsageError(`--cpus must be a whole number, at least 2 (Kubernetes needs 2), not ${JSON.stringify(v.cpus)}`, UP_USAGE);
  const memory = (v.memory as string | undefined) ?? MINIKUBE.memory;
  if (!/^\d+(\.\d+)?[bkmg]?$/i.test(memory)) throw new UsageError(`--memory must look like 4g or 4096m, not ${JSON.stringify(memory)}`, UP_USAGE);
  const kubernetesVersion = v['kubernetes-version'] as string | undefined;
  if (kubernetesVersion !== undefined) {
    const m = /^v?1\.(\d+)\.\d+(-[\w.]+)?$/.exec(kubernetesVersion);
    if (!m) throw new UsageError(`--kubernetes-version must look like v1.31.2, not ${JSON.stringify(kubernetesVersion)}`, UP_USAGE);
    if (Number(m[1]) < MINIKUBE.minKubernetesMinor) {
      throw new UsageError(
        `--kubernetes-version ${kubernetesVersion} is too old: the operator's CRD needs 1.${MINIKUBE.minKubernetesMinor} or newer. ` +
          'The seed\'s own Seldon Core 1.11 commands need 1.21 or older instead: see cluster/seed/README.md.',
        UP_USAGE,
      );
    }
  }
  const ingress = ((v.ingress as string | undefined) ?? INGRESS_FLAVOURS[0]) as IngressFlavour;
  if (!INGRESS_FLAVOURS.includes(ingress)) throw new UsageError(`--ingress must be one of ${INGRESS_FLAVOURS.join(', ')}, not ${JSON.stringify(v.ingress)}`, UP_USAGE);
  const minutes = v.timeout === undefined ? 5 : Number(v.timeout);
  if (!(minutes > 0 && minutes <= 60)) throw new UsageError(`--timeout must be a number of minutes from 1 to 60, not ${JSON.stringify(v.timeout)}`, UP_USAGE);
  return {
    profile: profileOf(v.profile, UP_USAGE),
    cpus,
    memory,
    kubernetesVersion: kubernetesVersion === undefined ? undefined : kubernetesVersion.startsWith('v') ? kubernetesVersion : `v${kubernetesVersion}`,
    driver: v.driver as string | undefined,
    ingress,
    skipBuild: v['skip-build'] === true,
    timeoutMs: minutes * 60_000,
    help: v.help === true,
  };
}

export function parseStatusArgs(argv: string[]): StatusOptions {
  const v = parse(argv, STATUS_USAGE, { profile: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  return { profile: profileOf(v.profile, STATUS_USAGE), help: v.help === true };
}

export function parseDownArgs(argv: string[]): DownOptions {
  const v = parse(argv, DOWN_USAGE, {
    profile: { type: 'string' },
    delete: { type: 'boolean' },
    uninstall: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.delete && v.uninstall) throw new UsageError('--delete and --uninstall cannot go together: --delete removes everything anyway', DOWN_USAGE);
  return { profile: profileOf(v.profile, DOWN_USAGE), delete: v.delete === true, uninstall: v.uninstall === true, help: v.help === true };
}
