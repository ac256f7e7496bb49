// SPDX-License-Identifier: Apache-2.0
// The sandbox kubelet's image table: which container images it can run, and what each one is on
// this machine.
//
// A real node pulls an image and runs its ENTRYPOINT in a fresh filesystem. The sandbox cannot pull
// anything, so it knows a short list of images and runs, for each, the kit's own program that does
// that image's job:
//
//   image                                      runs                                  programs on PATH
//   seldon-lab/model-server:<pinned>           seldon-lab serve                      seldon-lab, toybox
//   seldon-lab/operator:<pinned>               seldon-lab operator                   seldon-lab, toybox
//   seldonio/sklearnserver:*                   seldon-lab serve (SKLEARN_SERVER)     seldon-lab, toybox
//   seldonio/xgboostserver:*                   seldon-lab serve (XGBOOST_SERVER)     seldon-lab, toybox
//   seldonio/rclone-storage-initializer:*,     seldon-lab storage-init <uri> <dir>   seldon-lab, toybox
//     gcr.io/kfserving/model-initializer:*, (gcr.io/)kfserving/storage-initializer:*,
//     kserve/storage-initializer:*
//   seldon-lab/toybox:<pinned>, busybox:*      toybox (sh, sleep, echo, httpd, ...)  toybox
//
// The kit's own image names come from cluster/images.json, the one place they are pinned (the
// Dockerfiles and the chart use the same file). Seldon's images match with any tag: the kit plays
// every version of them. Any other image cannot be pulled, exactly as on a cluster without access
// to its registry: the container waits in ErrImagePull, then ImagePullBackOff.
//
// "Programs on PATH" is what `command:`, exec probes and hooks may name. The toybox is a small
// busybox written for the sandbox (toybox.mjs); Seldon's images are Linux images with a shell, so
// their `/bin/sleep 10` preStop hook runs too. A program is found by its base name: `/bin/sleep`
// and `sleep` are the same program here.
import { readFileSync } from 'node:fs';
import { fromRoot } from '../../paths.js';

/** A parsed image reference, normalised as containerd does: `busybox` is `docker.io/library/busybox:latest`. */
export interface ImageRef {
  /** domain and path, e.g. `docker.io/seldonio/sklearnserver` */
  repository: string;
  tag?: string;
  digest?: string;
  /** the normalised reference: what `containerStatuses[].image` shows */
  full: string;
}

/** The image's configuration, as its Dockerfile would declare it. */
export interface ImageEntry {
  /** what plays the image here, for messages and docs */
  title: string;
  entrypoint: string[];
  cmd: string[];
  /** the image's ENV; a container's `env` overrides it */
  env: Record<string, string>;
  workingDir: string;
  /** which programs the image holds: the kit's CLI and the toybox applets, or the applets only */
  programs: 'kit' | 'toybox';
}

/** Where a program of an image comes from on this machine. */
export type Program = { kind: 'kit' } | { kind: 'toybox'; applet: string };

/** The toybox's applets (toybox.mjs answers `--list` with the same names; a test keeps them equal). */
export const TOYBOX_APPLETS = [
  'sh', 'echo', 'sleep', 'cat', 'env', 'printenv', 'true', 'false', 'test', '[', 'touch', 'rm', 'mkdir', 'ls',
  'hostname', 'httpd', 'nc', 'wget',
] as const;

/** The kit's pinned image names (cluster/images.json). */
export interface KitImages {
  modelServer: string;
  operator: string;
  toybox: string;
}

let kitImagesCache: KitImages | undefined;

export function kitImages(): KitImages {
  if (!kitImagesCache) {
    const file = fromRoot('cluster', 'images.json');
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<KitImages>;
    for (const key of ['modelServer', 'operator', 'toybox'] as const) {
      if (typeof parsed[key] !== 'string') throw new Error(`${file} must name the ${key} image (a string), e.g. "seldon-lab/${key}:0.1.0"`);
    }
    kitImagesCache = parsed as KitImages;
  }
  return kitImagesCache;
}

const LINUX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** An image that runs a `seldon-lab` subcommand. */
function kitProgram(title: string, subcommand: string[], env: Record<string, string> = {}): ImageEntry {
  return { title, entrypoint: ['seldon-lab', ...subcommand], cmd: [], env: { PATH: LINUX_PATH, ...env }, workingDir: '/', programs: 'kit' };
}

const storageInitializer = kitProgram('the storage initializer (seldon-lab storage-init)', ['storage-init']);
const toybox: ImageEntry = { title: 'the toybox (sh, sleep, echo, httpd, ...)', entrypoint: [], cmd: ['sh'], env: { PATH: LINUX_PATH }, workingDir: '/', programs: 'toybox' };

/** Seldon's and KFServing's images, any tag. */
const ANY_TAG: Record<string, ImageEntry> = {
  'docker.io/seldonio/sklearnserver': kitProgram('Seldon\'s SKLearn server (seldon-lab serve)', ['serve'], {
    SELDON_LAB_IMPLEMENTATION: 'SKLEARN_SERVER', MODEL_NAME: 'SKLearnServer', SERVICE_TYPE: 'MODEL',
  }),
  'docker.io/seldonio/xgboostserver': kitProgram('Seldon\'s XGBoost server (seldon-lab serve)', ['serve'], {
    SELDON_LAB_IMPLEMENTATION: 'XGBOOST_SERVER', MODEL_NAME: 'XGBoostServer', SERVICE_TYPE: 'MODEL',
  }),
  'docker.io/seldonio/rclone-storage-initializer': storageInitializer,
  'gcr.io/kfserving/model-initializer': storageInitializer,
  'gcr.io/kfserving/storage-initializer': storageInitializer,
  'docker.io/kfserving/storage-initializer': storageInitializer,
  'docker.io/kserve/storage-initializer': storageInitializer,
  'docker.io/library/busybox': toybox,
};

/** The kit's own images, at their pinned tags only. */
function pinnedImages(): Record<string, ImageEntry> {
  const kit = kitImages();
  return {
    [parseImageRef(kit.modelServer).full]: kitProgram('the kit\'s model server (seldon-lab serve)', ['serve']),
    [parseImageRef(kit.operator).full]: kitProgram('the kit\'s operator (seldon-lab operator)', ['operator']),
    [parseImageRef(kit.toybox).full]: toybox,
  };
}

/** A reference Kubernetes cannot even parse: the container waits with reason InvalidImageName. */
export class InvalidImageName extends Error {
  constructor(image: string, why: string) {
    super(`Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format${why ? `: ${why}` : ''}`);
    this.name = 'InvalidImageName';
  }
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

/** Parses and normalises an image reference (distribution/reference's rules). */
export function parseImageRef(image: string): ImageRef {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidImageName(image, '');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidImageName(image, '');
  }
  const parts = rest.split('/');
  let domain = 'docker.io';
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) domain = parts.shift()!;
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && parts.length === 1) parts.unshift('library');
  if (parts.some((p) => p !== p.toLowerCase())) throw new InvalidImageName(image, 'repository name must be lowercase');
  if (parts.length === 0 || parts.some((p) => !PATH_COMPONENT.test(p))) throw new InvalidImageName(image, '');
  const repository = `${domain}/${parts.join('/')}`;
  if (!tag && !digest) tag = 'latest';
  return { repository, tag, digest, full: `${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}` };
}

/** The sandbox's entry for an image, or undefined when the sandbox cannot "pull" it. */
export function lookupImage(ref: ImageRef): ImageEntry | undefined {
  return pinnedImages()[`${ref.repository}:${ref.tag}`] ?? ANY_TAG[ref.repository];
}

/** What `kubectl describe` shows when the image is not in the table (containerd's wording, plus why). */
export function pullErrorMessage(image: string, ref: ImageRef): string {
  return (
    `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${ref.full}": ` +
    `the sandbox cluster cannot pull images; it runs only the images in its table ` +
    `(Seldon's sklearnserver, xgboostserver and storage initializers, busybox, and ${Object.values(kitImages()).join(', ')})`
  );
}

/** Which program of the image `argv0` names, or undefined when the image does not hold it. */
export function findProgram(entry: ImageEntry, argv0: string): Program | undefined {
  const base = argv0.slice(argv0.lastIndexOf('/') + 1);
  if (entry.programs === 'kit' && base === 'seldon-lab') return { kind: 'kit' };
  if ((TOYBOX_APPLETS as readonly string[]).includes(base)) return { kind: 'toybox', applet: base };
  return undefined;
}

/** The host command line that runs a program: plain node for the toybox, the kit's CLI for the rest. */
export function hostCommand(program: Program): string[] {
  if (program.kind === 'kit') return [process.execPath, fromRoot('bin', 'seldon-lab.js')];
  return [process.execPath, fromRoot('lib', 'sandbox', 'kubelet', 'toybox.mjs'), program.applet];
}
