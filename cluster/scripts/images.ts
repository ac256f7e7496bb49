// SPDX-License-Identifier: Apache-2.0
// The kit's container images: their pinned names (cluster/images.json, the one place, which the
// sandbox's kubelet reads too), their Dockerfiles, and the small build folder each is built from.
//
// `minikube image build` sends its whole context folder into the minikube machine. The repository
// is mostly node_modules (600 MB) that the images do not use, so the context is a staged folder
// holding exactly the files the Dockerfile copies, found by reading its COPY lines: the
// Dockerfile stays the single description of the image.
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fromRoot } from '../../lib/paths.js';
import { kitImages } from '../../lib/sandbox/kubelet/images.js';

export interface ImageBuild {
  /** the key in cluster/images.json */
  key: 'modelServer' | 'operator';
  /** `repository:tag`, as pinned */
  image: string;
  /** repository-relative path of the Dockerfile */
  dockerfile: string;
}

export function imageBuilds(): ImageBuild[] {
  const images = kitImages();
  return [
    { key: 'modelServer', image: images.modelServer, dockerfile: 'cluster/images/model-server.Dockerfile' },
    { key: 'operator', image: images.operator, dockerfile: 'cluster/images/operator.Dockerfile' },
  ];
}

/** `seldon-lab/operator:0.1.0` -> repository and tag (a registry port's colon is not a tag). */
export function splitImage(image: string): { repository: string; tag: string } {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon <= slash) throw new Error(`image ${JSON.stringify(image)} has no tag: pin one in cluster/images.json, e.g. "${image}:0.1.0"`);
  return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
}

export interface CopyInstruction {
  sources: string[];
  destination: string;
  /** `--from=<stage>`: copies out of another build stage, not from the context */
  fromStage?: string;
}

/** The COPY instructions of a Dockerfile (continuation lines joined, comments skipped). */
export function copyInstructions(dockerfile: string): CopyInstruction[] {
  const lines = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const copies: CopyInstruction[] = [];
  for (const line of lines) {
    const m = /^\s*COPY\s+(.*)$/i.exec(line);
    if (!m) continue;
    const words = m[1].trim().split(/\s+/);
    const flags = words.filter((w) => w.startsWith('--'));
    const paths = words.filter((w) => !w.startsWith('--'));
    const from = flags.find((f) => f.startsWith('--from='));
    copies.push({ sources: paths.slice(0, -1), destination: paths[paths.length - 1], fromStage: from?.slice('--from='.length) });
  }
  return copies;
}

/** The repository paths a Dockerfile copies from its build context. */
export function contextSources(dockerfile: string): string[] {
  return [...new Set(copyInstructions(dockerfile).filter((c) => !c.fromStage).flatMap((c) => c.sources.map((s) => posix.normalize(s).replace(/\/$/, ''))))];
}

/** Tests are not part of an image. */
function keep(path: string): boolean {
  return !path.endsWith('.test.ts');
}

/**
 * Copies what `build`'s Dockerfile needs into `dir`, with the Dockerfile itself as `dir/Dockerfile`,
 * and returns the paths copied. A COPY source that does not exist is an error here, before any
 * build starts.
 */
export function stageContext(build: ImageBuild, dir: string, root = fromRoot()): string[] {
  const dockerfile = readFileSync(join(root, build.dockerfile), 'utf8');
  const sources = contextSources(dockerfile);
  for (const source of sources) {
    const from = join(root, source);
    if (!existsSync(from)) throw new Error(`${build.dockerfile} copies ${source}, which does not exist in the repository`);
    const to = join(dir, source);
    mkdirSync(dirname(to), { recursive: true });
    if (statSync(from).isDirectory()) cpSync(from, to, { recursive: true, filter: keep });
    else cpSync(from, to);
  }
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return sources;
}
