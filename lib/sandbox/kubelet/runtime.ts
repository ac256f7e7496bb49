// SPDX-License-Identifier: Apache-2.0
// The sandbox's container runtime (what containerd is to a real kubelet): turns a container of a
// pod into a command line, an environment and a working folder, starts it, and runs commands "in"
// it for exec probes and hooks.
//
// Creating a container can fail in the ways a real one fails, each with the waiting reason
// `kubectl get pods` shows:
//   ErrImagePull / InvalidImageName   the image is not in the table (images.ts) or not a name
//   CreateContainerConfigError        a ConfigMap, Secret or key the environment needs is missing
//   CreateContainerError              nothing to run (no command, and the image has none)
//   StartError                        the command names a program the image does not hold
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import type { KubeObject } from '../apiserver/types.js';
import { containerEnv, ContainerConfigError, type EnvSources } from './env.js';
import { expand } from './expansion.js';
import { findProgram, hostCommand, InvalidImageName, lookupImage, parseImageRef, pullErrorMessage, type ImageEntry, type ImageRef } from './images.js';
import { ContainerProcess, exitCodeOf, ProcessStartError } from './process.js';
import { mountTable, MountError, runtimeEnv } from './runtime-env.js';

export type CreateFailureReason = 'ErrImagePull' | 'InvalidImageName' | 'CreateContainerConfigError' | 'CreateContainerError' | 'StartError';

/** A container could not be created or started; `reason` is its waiting (or terminated) reason. */
export class ContainerCreateError extends Error {
  constructor(
    readonly reason: CreateFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'ContainerCreateError';
  }
}

/** Everything about the pod a container needs to be created. */
export interface PodSandbox {
  pod: KubeObject;
  podDir: string;
  podIP: string;
  hostIP: string;
  volumeDirs: Map<string, string>;
  sources: EnvSources;
  timeScale: number;
  /** the host command that runs the kit's CLI, e.g. `[node, bin/seldon-lab.js]` */
  kitCommand: string[];
  /** variables of the node's own configuration for the kit's programs (e.g. SELDON_LAB_MODEL_STORE) */
  nodeEnv: Record<string, string>;
}

/** A container ready to start: how to run it, and what its exec probes and hooks share with it. */
export interface PreparedContainer {
  name: string;
  image: ImageRef;
  entry: ImageEntry;
  argv: string[];
  hostArgv: string[];
  env: Record<string, string>;
  cwd: string;
  rootfs: string;
  containerID: string;
  /** the folder exec'd commands of this instance use for their own scratch space */
  execDir: string;
}

/** Resolves the image; throws ErrImagePull (not in the table) or InvalidImageName. */
export function resolveImage(image: string | undefined): { ref: ImageRef; entry: ImageEntry } {
  if (!image) throw new ContainerCreateError('InvalidImageName', 'Failed to apply default image tag "": couldn\'t parse image name "": invalid reference format');
  let ref: ImageRef;
  try {
    ref = parseImageRef(image);
  } catch (error) {
    if (error instanceof InvalidImageName) throw new ContainerCreateError('InvalidImageName', error.message);
    throw error;
  }
  const entry = lookupImage(ref);
  if (!entry) throw new ContainerCreateError('ErrImagePull', pullErrorMessage(image, ref));
  return { ref, entry };
}

/** `command`/`args` over the image's ENTRYPOINT/CMD, Kubernetes' rules, with $(VAR) expanded. */
export function commandLine(container: V1Container, entry: ImageEntry, env: Map<string, string>): string[] {
  const lookup = (name: string) => env.get(name);
  const command = container.command?.length ? container.command.map((c) => expand(c, lookup)) : undefined;
  const args = container.args?.length ? container.args.map((a) => expand(a, lookup)) : undefined;
  if (command) return [...command, ...(args ?? [])];
  return [...entry.entrypoint, ...(args ?? entry.cmd)];
}

/** The host path of a container path, through the mounts and the container's own folder. */
function hostPathOf(path: string, mounts: Record<string, string>, rootfs: string): string {
  const clean = posix.resolve('/', path);
  const mountPath = Object.keys(mounts)
    .filter((m) => clean === m || clean.startsWith(m === '/' ? '/' : `${m}/`))
    .sort((a, b) => b.length - a.length)[0];
  return mountPath ? join(mounts[mountPath], clean.slice(mountPath.length)) : join(rootfs, clean);
}

function hostArgvOf(sandbox: PodSandbox, entry: ImageEntry, argv: string[]): string[] {
  const program = findProgram(entry, argv[0]);
  if (!program) {
    throw new ContainerCreateError(
      'StartError',
      `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown`,
    );
  }
  return [...(program.kind === 'kit' ? sandbox.kitCommand : hostCommand(program)), ...argv.slice(1)];
}

/** Builds the container's command line, environment and folders. Throws a ContainerCreateError. */
export async function prepareContainer(sandbox: PodSandbox, container: V1Container, restartCount: number): Promise<PreparedContainer> {
  const { ref, entry } = resolveImage(container.image);
  const pod = sandbox.pod;
  let declared: Map<string, string>;
  try {
    declared = containerEnv(pod, container, sandbox.sources, { podIP: sandbox.podIP, hostIP: sandbox.hostIP });
  } catch (error) {
    if (error instanceof ContainerConfigError) throw new ContainerCreateError('CreateContainerConfigError', error.message);
    throw error;
  }
  const spec = (pod.spec ?? {}) as { hostname?: string };
  const hostname = spec.hostname ?? String(pod.metadata.name);
  // The image's ENV, then HOSTNAME, then what the pod sets: later wins.
  const env = new Map<string, string>([...Object.entries(entry.env), ['HOSTNAME', hostname], ...declared]);
  const argv = commandLine(container, entry, env);
  if (argv.length === 0) throw new ContainerCreateError('CreateContainerError', 'Error: failed to generate container spec: no command specified');
  const hostArgv = hostArgvOf(sandbox, entry, argv);

  let mounts: Record<string, string>;
  try {
    mounts = await mountTable(container, sandbox.volumeDirs, env);
  } catch (error) {
    if (error instanceof MountError) throw new ContainerCreateError('CreateContainerConfigError', error.message);
    throw error;
  }
  // Each instance gets a fresh writable layer, with the files a runtime always provides.
  const base = join(sandbox.podDir, 'containers', container.name);
  await mkdir(base, { recursive: true });
  const rootfs = await mkdtemp(join(base, `${restartCount}-`));
  await mkdir(join(rootfs, 'tmp'));
  await mkdir(join(rootfs, 'etc'));
  await writeFile(join(rootfs, 'etc', 'hostname'), `${hostname}\n`);
  await writeFile(join(rootfs, 'etc', 'hosts'), `127.0.0.1\tlocalhost\n${sandbox.podIP}\t${hostname}\n`);
  const workingDir = container.workingDir || entry.workingDir;
  const cwd = hostPathOf(workingDir, mounts, rootfs);
  await mkdir(cwd, { recursive: true });
  const execDir = join(sandbox.podDir, 'exec');
  await mkdir(execDir, { recursive: true });

  return {
    name: container.name,
    image: ref,
    entry,
    argv,
    hostArgv,
    env: { ...sandbox.nodeEnv, ...Object.fromEntries(env), ...runtimeEnv(sandbox.podIP, mounts, rootfs, sandbox.timeScale) },
    cwd,
    rootfs,
    containerID: `sandbox://${randomBytes(32).toString('hex')}`,
    execDir,
  };
}

/** Starts a prepared container; throws a ContainerCreateError (StartError) if it cannot run. */
export async function startContainer(prepared: PreparedContainer, onOutput: (stream: 'stdout' | 'stderr', chunk: Buffer) => void): Promise<ContainerProcess> {
  try {
    return await ContainerProcess.start({ argv: prepared.hostArgv, env: prepared.env, cwd: prepared.cwd, scratchDir: prepared.rootfs, onOutput });
  } catch (error) {
    if (error instanceof ProcessStartError) throw new ContainerCreateError('StartError', error.message);
    throw error;
  }
}

/** How much of an exec'd command's output a probe keeps for its message. */
const EXEC_OUTPUT_LIMIT = 10 * 1024;

/** Runs a command in a container (its image's programs, its environment and files). */
export async function execInContainer(
  sandbox: PodSandbox,
  prepared: PreparedContainer,
  command: string[],
  timeoutMs: number,
  /** holds the command's process while it runs, so that stopping the pod can end it too */
  running: { add(process: ContainerProcess): void; delete(process: ContainerProcess): void },
): Promise<{ exitCode: number; output: string; timedOut: boolean }> {
  let hostArgv: string[];
  try {
    if (command.length === 0) throw new ContainerCreateError('StartError', 'no command given');
    hostArgv = hostArgvOf(sandbox, prepared.entry, command);
  } catch (error) {
    return { exitCode: 126, output: `OCI runtime exec failed: exec failed: ${(error as Error).message}`, timedOut: false };
  }
  let output = '';
  const scratch = await mkdtemp(join(prepared.execDir, 'exec-'));
  let proc: ContainerProcess;
  try {
    proc = await ContainerProcess.start({
      argv: hostArgv,
      env: prepared.env,
      cwd: prepared.cwd,
      scratchDir: scratch,
      onOutput: (_stream, chunk) => {
        if (output.length < EXEC_OUTPUT_LIMIT) output += chunk.toString().slice(0, EXEC_OUTPUT_LIMIT - output.length);
      },
    });
  } catch (error) {
    return { exitCode: 126, output: `OCI runtime exec failed: ${(error as Error).message}`, timedOut: false };
  }
  running.add(proc);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.signal('SIGKILL');
  }, timeoutMs);
  const exit = await proc.exited;
  clearTimeout(timer);
  running.delete(proc);
  return { exitCode: exitCodeOf(exit), output, timedOut };
}
