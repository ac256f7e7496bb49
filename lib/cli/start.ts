// SPDX-License-Identifier: Apache-2.0
// `npm start` (`seldon-lab start [--port <n>]`): the course site on this machine, and the cluster the
// lessons talk to.
//
// It runs VitePress's dev server in this process on 127.0.0.1 (only this machine can reach it), so a
// lesson edited in lessons/ shows up on save, and prints where to open each language. It stays up
// until Ctrl-C (SIGINT) or SIGTERM and then closes the server, so the port is free again at once.
// The lessons that need a Kubernetes API get one started beside the site when no cluster answers:
// see `startClusterIfNoneAnswers` below, the one place where that happens. It prints which cluster
// the notebooks will use and where its ingress answers, beside the site's addresses.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createServer } from 'vitepress';
import { connect, type Connection } from '../kube/connect.js';
import { fromRoot } from '../paths.js';

type DevServer = Awaited<ReturnType<typeof createServer>>;

export const DEFAULT_PORT = 5173;
export const HOST = '127.0.0.1';

const USAGE = `usage: seldon-lab start [--port <n>]

Serves the course site on http://${HOST}:${DEFAULT_PORT}/ (English) and /ko/ (Korean) until Ctrl-C.
  --port <n>   listen on port n instead (1-65535); fails if it is taken`;

export interface StartOptions {
  port: number;
  /** fail instead of trying the next port: set when the port was asked for explicitly */
  strictPort: boolean;
  help: boolean;
}

/** A command line problem: the message says what was wrong, main prints it with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseStartArgs(argv: string[]): StartOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { port: { type: 'string', short: 'p' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { port, help } = parsed.values;
  if (port === undefined) return { port: DEFAULT_PORT, strictPort: false, help: help ?? false };
  const n = Number(port);
  if (!/^\d+$/.test(port) || n < 1 || n > 65535) throw new UsageError(`--port takes a port number from 1 to 65535, not '${port}'`);
  return { port: n, strictPort: true, help: help ?? false };
}

/** The running site: where to open it, and how to stop it. */
export interface RunningSite {
  urls: { en: string; ko: string };
  close(): Promise<void>;
}

/**
 * Starts VitePress's dev server for site/ on 127.0.0.1. VitePress asks for a restart when its config
 * changes; we also restart when a lesson is added or removed or its front matter changes, because
 * the sidebar is built from the front matter when the config loads.
 */
export async function startSite(options: Pick<StartOptions, 'port' | 'strictPort'>): Promise<RunningSite> {
  const siteRoot = fromRoot('site');
  const lessonsDir = fromRoot('lessons');
  let server: DevServer;
  let restarting: Promise<void> | undefined;
  let port = options.port;

  const restart = (): Promise<void> =>
    (restarting ??= (async () => {
      await closeServer(server);
      // Same port as before, and nothing else: the learner has the page open there.
      server = await open({ port, strictPort: true });
    })().finally(() => (restarting = undefined)));

  const open = async (listen: { port: number; strictPort: boolean }): Promise<DevServer> => {
    const next = await createServer(siteRoot, { host: HOST, ...listen }, restart);
    try {
      await next.listen();
    } catch (error) {
      await closeServer(next);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || /Port \d+ is already in use/.test((error as Error).message)) {
        throw new Error(`port ${listen.port} on ${HOST} is already in use: stop what uses it, or pass --port <another>`, {
          cause: error,
        });
      }
      throw error;
    }
    watchFrontMatter(next, lessonsDir, restart);
    return next;
  };

  server = await open(options);
  const local = server.resolvedUrls?.local[0] ?? `http://${HOST}:${options.port}/`;
  port = Number(new URL(local).port);
  return {
    urls: { en: local, ko: new URL('ko/', local).href },
    close: async () => {
      await restarting?.catch(() => undefined);
      await closeServer(server);
    },
  };
}

/** How long closing may take before we stop waiting (see closeServer). */
const CLOSE_DEADLINE_MS = 5_000;

/**
 * Closes a dev server. Stopped while it is still optimising dependencies (the first minute after a
 * fresh checkout), Vite 5 can leave its close() pending forever, or reopen its file watcher for
 * tsconfig.json after closing it. So we wait a bounded time, and close the watcher once more.
 */
async function closeServer(server: DevServer): Promise<void> {
  await withDeadline(server.close(), CLOSE_DEADLINE_MS);
  await server.watcher.close();
}

/** Waits for `work`, but no longer than `ms`; says whether it finished in time. */
async function withDeadline(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Restarts the server when a lesson appears, disappears, or its front matter changes. */
function watchFrontMatter(server: DevServer, lessonsDir: string, restart: () => Promise<void>): void {
  const isLesson = (file: string) => file.startsWith(lessonsDir) && /[\\/](?:en|ko)[\\/]\d{2}-[^\\/]+\.md$/.test(file);
  const frontMatter = (file: string): string => {
    try {
      return /^---\r?\n([\s\S]*?)\r?\n---/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    } catch {
      return '';
    }
  };
  // Every lesson's front matter as the config saw it, so that an edit can be compared with it.
  const seen = new Map<string, string>();
  for (const lang of ['en', 'ko']) {
    const dir = join(lessonsDir, lang);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      if (isLesson(file)) seen.set(file, frontMatter(file));
    }
  }
  server.watcher.on('all', (event, file) => {
    if (!isLesson(file)) return;
    if (event === 'change') {
      const now = frontMatter(file);
      if (seen.get(file) === now) return;
      seen.set(file, now);
    } else if (event !== 'add' && event !== 'unlink') {
      return;
    }
    const what = event === 'change' ? 'front matter changed' : event === 'add' ? 'lesson added' : 'lesson removed';
    server.config.logger.info(`${what}: ${file}; restarting to rebuild the sidebar`, { timestamp: true });
    restart().catch((error: unknown) => server.config.logger.error(`restart failed: ${(error as Error).message}`));
  });
}

/** Something started beside the site that must be stopped with it. */
export interface Companion {
  /** lines for the console, e.g. "Cluster:  the sandbox cluster at https://127.0.0.1:6443" */
  describe(): string[];
  close(): Promise<void>;
}

const KIND_TEXT: Record<Connection['kind'], string> = { sandbox: 'the sandbox cluster', minikube: 'the minikube cluster', cluster: 'the cluster of your kube context' };

/**
 * ★ THE SANDBOX CLUSTER STARTS HERE. ★
 *
 * `connect()` (lib/kube/connect.ts) finds the cluster the lessons will use: the current kube
 * context when its API server answers (minikube), else the shared sandbox cluster, which it starts,
 * or joins when a notebook or a test run already runs it. The notebooks' own `connect()` then finds
 * the same one. Closing the connection lets the sandbox go: it stops once no process uses it.
 * A cluster that cannot be had is not fatal: the site still serves, and the reason is printed.
 */
export async function startClusterIfNoneAnswers(options: { print?: (line: string) => void } = {}): Promise<Companion | undefined> {
  const print = options.print ?? ((line: string) => console.log(line));
  let c: Connection;
  try {
    c = await connect({ print });
  } catch (error) {
    print(`seldon-lab start: no cluster for the lessons that need one: ${(error as Error).message}`);
    return undefined;
  }
  return {
    describe: () => [`Cluster:  ${KIND_TEXT[c.kind]} at ${c.server}`, `Ingress:  ${c.ingressUrl}`, `          (export KUBECONFIG=${c.kubeconfigPath})`],
    close: () => c.close(),
  };
}

/**
 * Waits for the first SIGINT or SIGTERM. Listening replaces Node's default (exit at once), so the
 * server can close; a second signal while it closes exits at once after all.
 */
function onFirstSignal(): { received: Promise<NodeJS.Signals>; dispose(): void } {
  let dispose = () => {};
  const received = new Promise<NodeJS.Signals>((resolve) => {
    const force = () => {
      console.error('seldon-lab start: stopping now, without waiting for the server to close');
      process.exit(130);
    };
    const first = (signal: NodeJS.Signals) => {
      process.off('SIGINT', first).off('SIGTERM', first);
      process.once('SIGINT', force).once('SIGTERM', force);
      resolve(signal);
    };
    process.on('SIGINT', first).on('SIGTERM', first);
    dispose = () => process.off('SIGINT', first).off('SIGTERM', first).off('SIGINT', force).off('SIGTERM', force);
  });
  return { received, dispose };
}

export async function main(argv: string[]): Promise<number> {
  let options: StartOptions;
  try {
    options = parseStartArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`seldon-lab start: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  const signal = onFirstSignal();
  let cluster: Companion | undefined;
  let site: RunningSite;
  // The cluster and the site start side by side; a cluster that cannot be had is reported, not fatal.
  const clusterStarting = startClusterIfNoneAnswers();
  try {
    site = await startSite(options);
    cluster = await clusterStarting;
  } catch (error) {
    signal.dispose();
    await (await clusterStarting)?.close();
    console.error(`seldon-lab start: the site did not start: ${(error as Error).message}`);
    return 1;
  }
  console.log(
    [
      '',
      '  seldon-lab course site',
      `    English:  ${site.urls.en}`,
      `    한국어:   ${site.urls.ko}`,
      ...(cluster ? cluster.describe().map((line) => `    ${line}`) : []),
      '',
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  const received = await signal.received;
  console.log(`\n${received}: stopping the site${cluster ? ' and letting go of the cluster (a sandbox stops by itself once nothing uses it)' : ''}…`);
  try {
    await site.close();
    await cluster?.close();
  } finally {
    signal.dispose();
  }
  // Like Vite's own CLI, end the process once everything is closed: a dependency optimisation that
  // was cut short can leave a handle behind that would keep `npm start` from returning. The timer
  // does not keep the process alive, so a clean shutdown exits at once, with main's exit code.
  setTimeout(() => process.exit(), 1_000).unref();
  return 0;
}
