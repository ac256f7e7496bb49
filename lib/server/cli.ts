// SPDX-License-Identifier: Apache-2.0
// The model server's commands, as a container runs them:
//
//   seldon-lab serve [options]          the model container (see config.ts for flags and env)
//   seldon-lab storage-init <uri> <dir> the init container: fetch the model files into <dir>
//
// `serve` prints one line when it is ready, and on SIGTERM or SIGINT stops accepting, lets the
// requests in flight finish, and exits 0, which is what Kubernetes expects of a pod.
import { parseArgs } from 'node:util';
import { createModel } from './runtimes/index.js';
import { readServeConfig, SERVE_USAGE, UsageError, type ServeConfig } from './config.js';
import { startModelServer } from './server.js';
import { displayUri, resolveModelUri, type StorageProgress } from './storage/index.js';
import { listenAddressFor } from './container-env.js';

export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdio: CliIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** `seldon-lab <serve|storage-init> ...`: returns the exit code. */
export async function main(argv: string[], io: CliIO = stdio): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'serve') return serveMain(rest, io);
  if (command === 'storage-init') return storageInitMain(rest, io);
  io.err(`usage: seldon-lab serve [options] | seldon-lab storage-init <model-uri> <dest-dir>`);
  return 2;
}

/** Progress lines on stderr: each file when done, and at most every half second while it runs. */
function progressPrinter(io: CliIO): (p: StorageProgress) => void {
  let last = 0;
  const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return (p) => {
    const now = Date.now();
    if (!p.done && now - last < 500) return;
    last = now;
    const total = p.totalBytes ? ` / ${mib(p.totalBytes)} (${Math.floor((100 * p.bytes) / p.totalBytes)}%)` : '';
    io.err(`  ${p.file}  ${mib(p.bytes)}${total}${p.done ? '  done' : ''}`);
  };
}

/** `seldon-lab serve`: resolves the model, serves it until SIGTERM/SIGINT, then drains. */
export async function serveMain(argv: string[], io: CliIO = stdio): Promise<number> {
  let config: ServeConfig;
  try {
    config = readServeConfig(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      if (err.message) io.err(`seldon-lab serve: ${err.message}\n`);
      io.err(SERVE_USAGE);
      return err.message ? 2 : 0;
    }
    throw err;
  }
  let server;
  try {
    // #region serve-steps
    const modelDir = config.modelUri
      ? await resolveModelUri(config.modelUri, {
          dest: config.modelDest,
          limits: { timeoutMs: config.storageTimeoutMs, maxBytes: config.storageMaxBytes },
          onInfo: io.err,
          onProgress: progressPrinter(io),
        })
      : undefined;
    const model = await createModel({ implementation: config.implementation, modelDir, parameters: config.parameters, modelModule: config.modelModule, modelClass: config.modelClass });
    server = await startModelServer({
      model,
      name: config.name,
      version: config.version,
      port: config.httpPort,
      host: listenAddressFor(config.host),
      unit: config.unit,
      maxBodyBytes: config.maxBodyBytes,
      maxDepth: config.maxDepth,
      corsOrigins: config.corsOrigins,
      metricsPort: config.metricsPort,
      metricsPath: config.metricsPath,
      log: { info: io.out, warn: io.err, error: io.err },
    });
    // #endregion serve-steps
  } catch (err) {
    io.err(`seldon-lab serve: ${(err as Error).message}`);
    return 1;
  }
  const what = config.modelModule ? `model ${config.modelModule}` : `${config.implementation} model from ${displayUri(config.modelUri ?? '')}`;
  io.out(`seldon-lab model server ready: ${what} as "${config.name}" on ${server.url.replace('127.0.0.1', server.host)} (Seldon protocol v1 /api/v1.0/predictions, V2 /v2/models/${config.name}/infer, API page /api/v1.0/doc/)`);

  const running = server;
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      // A second signal ends the wait at once.
      const force = (): void => void running.close({ timeoutMs: 0 });
      process.once(signal, force);
      io.err(`Received ${signal}: no new connections; finishing the requests in flight (up to ${config.shutdownTimeoutMs / 1000} s).`);
      running.close({ timeoutMs: config.shutdownTimeoutMs }).then(({ forced }) => {
        io.err(forced ? 'Stopped; some requests were cut off at the shutdown timeout.' : 'Stopped.');
        process.off(signal, force);
        resolve(forced ? 1 : 0);
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

const STORAGE_USAGE = `usage: seldon-lab storage-init <model-uri> <dest-dir> [--timeout S] [--max-bytes N] [--store DIR | --no-store] [--gcs-endpoint URL] [--pvc-root DIR]

Fetches the model files at <model-uri> into <dest-dir>, as Seldon's storage initializer (an init
container running rclone) does before the model server starts: args [modelUri, /mnt/models].`;

/** `seldon-lab storage-init <uri> <dest>`: the init container. */
export async function storageInitMain(argv: string[], io: CliIO = stdio): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        timeout: { type: 'string' },
        'max-bytes': { type: 'string' },
        store: { type: 'string' },
        'no-store': { type: 'boolean' },
        'gcs-endpoint': { type: 'string' },
        'pvc-root': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`seldon-lab storage-init: ${(err as Error).message}\n\n${STORAGE_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(STORAGE_USAGE);
    return 0;
  }
  if (positionals.length !== 2) {
    io.err(`seldon-lab storage-init: expected a model URI and a destination folder, got ${positionals.length} argument(s)\n\n${STORAGE_USAGE}`);
    return 2;
  }
  const [uri, dest] = positionals;
  const number = (value: string | undefined, what: string): number | undefined => {
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${what} must be a whole number above 0, not ${JSON.stringify(value)}`);
    return Number(value);
  };
  try {
    const timeout = number(values.timeout, '--timeout');
    await resolveModelUri(uri, {
      dest,
      limits: { timeoutMs: timeout === undefined ? undefined : timeout * 1000, maxBytes: number(values['max-bytes'], '--max-bytes') },
      storeRoot: values['no-store'] ? false : values.store,
      gcsEndpoint: values['gcs-endpoint'],
      pvcRoot: values['pvc-root'],
      onInfo: io.err,
      onProgress: progressPrinter(io),
    });
    // Name the folder as the caller gave it: in the sandbox the files really sit in the pod's volume
    // folder behind /mnt/models, and `kubectl logs` should show what a container would.
    io.out(`Model files from ${displayUri(uri)} are in ${dest}`);
    return 0;
  } catch (err) {
    io.err(`seldon-lab storage-init: ${(err as Error).message}`);
    return err instanceof UsageError ? 2 : 1;
  }
}
