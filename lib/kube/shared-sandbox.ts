// SPDX-License-Identifier: Apache-2.0
// One sandbox cluster for every process of the kit on this machine: notebook kernels, `npm test`
// (each lesson runs in its own kernel) and `npm start` all talk to the same one, and it goes away
// by itself when none of them needs it any more.
//
// The sandbox runs in a small background process of its own (so a kernel restart does not take
// the cluster down with it), started by the first `connect()` that finds none. The processes
// find each other through files in a state folder (`.sandbox/shared/` in the repository, or
// SELDON_LAB_STATE_DIR):
//
//   sandbox.json      written by the sandbox process when it is ready: pid, API URL, kubeconfig, ingress URL
//   owner.lock        the sandbox process's pid: at most one sandbox process per folder
//   clients/<pid>     one file per process using the sandbox (a lease); removed by close()
//   kubeconfig        the sandbox's kubeconfig (mode 0600)
//   sandbox.log       what the sandbox process printed
//
// The sandbox process checks the leases twice a second. A lease whose process has died is
// removed, so a crashed kernel does not keep the cluster alive; when no lease is left for
// `idleMs` (30 s by default: enough for `npm test` to go from one lesson's kernel to the next),
// it stops its pods, its servers, and itself. Nothing is left running unexpectedly.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fromRoot, repoRoot } from '../paths.js';

export interface SandboxState {
  version: 1;
  pid: number;
  /** the API server, `https://127.0.0.1:NNNN` */
  url: string;
  kubeconfigPath: string;
  /** the gateway, `http://127.0.0.1:8003` */
  ingressUrl: string;
  startedAt: string;
}

/** How long the sandbox process waits with no client before it stops (SELDON_LAB_SANDBOX_IDLE_MS). */
export const DEFAULT_IDLE_MS = 30_000;
const LEASE_CHECK_MS = 500;

/** Where the shared sandbox's files are: SELDON_LAB_STATE_DIR, `.sandbox/shared` in the repository, or the user's cache. */
export function stateDir(): string {
  if (process.env.SELDON_LAB_STATE_DIR) return process.env.SELDON_LAB_STATE_DIR;
  try {
    return join(repoRoot(), '.sandbox', 'shared');
  } catch {
    const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    return join(cache, 'seldon-lab', 'sandbox');
  }
}

/** True while a process with this pid exists (EPERM: it exists but is someone else's). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The state of a running shared sandbox in `dir`, or undefined (none, or its process is gone). */
export function readState(dir = stateDir()): SandboxState | undefined {
  try {
    const state = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as SandboxState;
    return state.version === 1 && isAlive(state.pid) ? state : undefined;
  } catch {
    return undefined;
  }
}

function writeJsonAtomically(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

// --- the client side -------------------------------------------------------------------------------

/** Leases this process holds, by folder: several connect() calls share one lease file. */
const leases = new Map<string, number>();

function takeLease(dir: string): void {
  mkdirSync(join(dir, 'clients'), { recursive: true });
  const count = leases.get(dir) ?? 0;
  if (count === 0) writeFileSync(join(dir, 'clients', String(process.pid)), `${new Date().toISOString()}\n`);
  leases.set(dir, count + 1);
}

function dropLease(dir: string): void {
  const count = leases.get(dir) ?? 0;
  if (count <= 1) {
    leases.delete(dir);
    rmSync(join(dir, 'clients', String(process.pid)), { force: true });
  } else {
    leases.set(dir, count - 1);
  }
}

export interface AcquireOptions {
  dir?: string;
  /** gateway port for a sandbox started now (default 8003; SELDON_LAB_INGRESS_PORT) */
  ingressPort?: number;
  /** how long a started sandbox lives without clients (default 30 s; SELDON_LAB_SANDBOX_IDLE_MS) */
  idleMs?: number;
  /** how long to wait for a sandbox to be ready (default 60 s: the first start compiles the kit) */
  timeoutMs?: number;
  /** checks that the API server in a state file answers (connect.ts passes its /version probe) */
  answers?: (state: SandboxState) => Promise<boolean>;
  /** progress lines, e.g. "starting the sandbox cluster..." */
  progress?: (line: string) => void;
}

export interface SharedSandbox {
  state: SandboxState;
  /** true when this call started it */
  started: boolean;
  /** gives up this process's lease; the sandbox stops once no process holds one */
  release(): void;
}

/** Starts the sandbox process, detached, with its output going to sandbox.log. */
function spawnSandboxProcess(dir: string, options: AcquireOptions): number | undefined {
  const log = openSync(join(dir, 'sandbox.log'), 'a');
  const entry = pathToFileURL(fromRoot('lib', 'kube', 'shared-sandbox.ts')).href;
  const env: NodeJS.ProcessEnv = { ...process.env, SELDON_LAB_ROOT: repoRoot(), SELDON_LAB_STATE_DIR: dir };
  if (options.ingressPort !== undefined) env.SELDON_LAB_INGRESS_PORT = String(options.ingressPort);
  if (options.idleMs !== undefined) env.SELDON_LAB_SANDBOX_IDLE_MS = String(options.idleMs);
  delete env.KUBECONFIG; // the sandbox process is the cluster; it does not need one
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(entry)}).then((m) => m.runSharedSandboxMain())`], {
    cwd: repoRoot(),
    detached: true,
    stdio: ['ignore', log, log],
    env,
  });
  closeSync(log);
  child.unref();
  return child.pid;
}

function logTail(dir: string, lines = 15): string {
  try {
    return readFileSync(join(dir, 'sandbox.log'), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Finds the shared sandbox, starting it when there is none, and takes a lease on it. Two
 * processes calling this at once end up with the same sandbox: only one sandbox process wins
 * the owner lock, the other exits at once, and both callers wait for the winner's state file.
 */
export async function acquireSharedSandbox(options: AcquireOptions = {}): Promise<SharedSandbox> {
  const dir = options.dir ?? stateDir();
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  mkdirSync(dir, { recursive: true });
  // A lease first, so a sandbox that starts now never sees zero clients and stops.
  takeLease(dir);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    dropLease(dir);
  };
  try {
    let spawned: number | undefined;
    let spawns = 0;
    for (;;) {
      const state = readState(dir);
      if (state && (!options.answers || (await options.answers(state)))) return { state, started: spawned !== undefined, release };
      // Nobody serves this folder (never started, stopped, or the one we started gave up): start one.
      if (!state && !readOwner(dir) && (spawned === undefined || !isAlive(spawned))) {
        if (spawns === 3) throw new Error(`the sandbox cluster did not start. Its log (${join(dir, 'sandbox.log')}) ends with:\n${logTail(dir)}`);
        if (spawns === 0) options.progress?.('starting the sandbox cluster (the first start compiles the kit: a few seconds)...');
        spawned = spawnSandboxProcess(dir, options);
        spawns++;
      }
      if (Date.now() > deadline) {
        throw new Error(`the sandbox cluster was not ready after ${options.timeoutMs ?? 60_000} ms. Its log (${join(dir, 'sandbox.log')}) ends with:\n${logTail(dir)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    release();
    throw error;
  }
}

function readOwner(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, 'owner.lock'), 'utf8').trim());
    return isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Asks the shared sandbox to stop now (SIGTERM) and waits until it has; false if none ran. */
export async function stopSharedSandbox(dir = stateDir(), timeoutMs = 15_000): Promise<boolean> {
  const pid = readOwner(dir);
  if (!pid) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`the sandbox process ${pid} did not stop within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

// --- the sandbox process ---------------------------------------------------------------------------

/** A running sandbox with its network and gateway: what connect() gives the lessons. */
export interface SandboxStack {
  url: string;
  kubeconfigPath: string;
  ingressUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the whole sandbox (startSandbox(): API server, controllers, the process kubelet, the
 * Service network and the gateway). The gateway takes port 8003 unless told otherwise; when 8003
 * is taken and was not asked for explicitly, it takes a free port and says so through `log`.
 */
export async function startSandboxStack(options: { kubeconfigPath?: string; ingressPort?: number; log?: (line: string) => void } = {}): Promise<SandboxStack> {
  // Loaded here, not at the top: a notebook that only talks to minikube never loads the sandbox.
  const { startSandbox } = await import('../sandbox/index.js');
  const sandbox = await startSandbox({ kubeconfigPath: options.kubeconfigPath, ingressPort: options.ingressPort, notice: options.log });
  if (sandbox.ingressUrl === undefined) {
    await sandbox.stop();
    throw new Error('the sandbox started without its gateway, so lessons would have no ingress URL');
  }
  return { url: sandbox.url, kubeconfigPath: sandbox.kubeconfigPath, ingressUrl: sandbox.ingressUrl, stop: () => sandbox.stop() };
}

function envNumber(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, not "${value}"`);
  return n;
}

/**
 * The body of the sandbox process: take the owner lock, start, publish sandbox.json, serve while
 * leases exist, then stop and clean up. Resolves when it has stopped.
 */
export async function runSharedSandbox(options: { dir: string; ingressPort?: number; idleMs?: number; log?: (line: string) => void }): Promise<void> {
  const { dir } = options;
  const log = options.log ?? ((line: string) => console.log(`${new Date().toISOString()} ${line}`));
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  mkdirSync(join(dir, 'clients'), { recursive: true });
  const lock = join(dir, 'owner.lock');
  const owner = readOwner(dir);
  if (owner && owner !== process.pid) {
    log(`another sandbox process (pid ${owner}) already serves ${dir}; leaving it to that one`);
    return;
  }
  if (!owner) rmSync(lock, { force: true });
  try {
    writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
  } catch {
    log(`another sandbox process took ${lock} first; leaving it to that one`);
    return;
  }

  let stack: SandboxStack | undefined;
  try {
    stack = await startSandboxStack({ kubeconfigPath: join(dir, 'kubeconfig'), ingressPort: options.ingressPort, log });
  } catch (error) {
    log(`could not start the sandbox cluster: ${(error as Error).message}`);
    rmSync(lock, { force: true });
    throw error;
  }
  const state: SandboxState = { version: 1, pid: process.pid, url: stack.url, kubeconfigPath: stack.kubeconfigPath, ingressUrl: stack.ingressUrl, startedAt: new Date().toISOString() };
  writeJsonAtomically(join(dir, 'sandbox.json'), state);
  log(`sandbox cluster at ${stack.url}, ingress ${stack.ingressUrl}, kubeconfig ${stack.kubeconfigPath}`);

  const liveClients = (): number => {
    let live = 0;
    for (const name of existsSync(join(dir, 'clients')) ? readdirSync(join(dir, 'clients')) : []) {
      if (isAlive(Number(name))) live++;
      else rmSync(join(dir, 'clients', name), { force: true }); // that process died without close()
    }
    return live;
  };
  for (;;) {
    const reason = await new Promise<'idle' | 'signal'>((resolve) => {
      let idleSince: number | undefined;
      const check = () => {
        if (liveClients() > 0) idleSince = undefined;
        else if (idleSince === undefined) idleSince = Date.now();
        else if (Date.now() - idleSince >= idleMs) done('idle');
      };
      const timer = setInterval(check, LEASE_CHECK_MS);
      const onSignal = () => done('signal');
      const done = (why: 'idle' | 'signal') => {
        clearInterval(timer);
        process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
        resolve(why);
      };
      process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
      check();
    });
    // Unpublish first, then look once more: a client that came in meanwhile keeps us running.
    rmSync(join(dir, 'sandbox.json'), { force: true });
    if (reason === 'idle' && liveClients() > 0) {
      writeJsonAtomically(join(dir, 'sandbox.json'), state);
      continue;
    }
    log(reason === 'idle' ? `no client for ${Math.round(idleMs / 1000)} s: stopping` : 'asked to stop: stopping');
    break;
  }

  await stack.stop().catch((error: Error) => log(`while stopping: ${error.message}`));
  rmSync(lock, { force: true });
  log('stopped');
}

/** Entry point of the spawned sandbox process (see spawnSandboxProcess). */
export function runSharedSandboxMain(): void {
  runSharedSandbox({
    dir: stateDir(),
    ingressPort: envNumber('SELDON_LAB_INGRESS_PORT'),
    idleMs: envNumber('SELDON_LAB_SANDBOX_IDLE_MS'),
  }).then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
