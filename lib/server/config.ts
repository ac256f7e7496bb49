// SPDX-License-Identifier: Apache-2.0
// `seldon-lab serve` configuration: command-line flags over Seldon's container environment.
//
// In a pod, Seldon's operator configures the model container only through environment variables
// (see seldon-v1-facts.md §2), so the same command runs unchanged as a container and on a laptop:
//
//   PREDICTIVE_UNIT_PARAMETERS         [{"name":"model_uri","value":"/mnt/models","type":"STRING"}, ...]
//   PREDICTIVE_UNIT_HTTP_SERVICE_PORT  9000 (PREDICTIVE_UNIT_SERVICE_PORT as a fallback)
//   PREDICTIVE_UNIT_ID / _IMAGE        classifier / seldonio/sklearnserver:1.11.0
//   PREDICTOR_ID, PREDICTOR_LABELS, SELDON_DEPLOYMENT_ID
//   PREDICTIVE_UNIT_METRICS_SERVICE_PORT / _ENDPOINT   6000 / /prometheus
//   CORS_ALLOWED_ORIGINS               comma-separated; * by default
//
// A flag always wins over the environment. Which prepackaged server to run comes from
// --implementation, else SELDON_LAB_IMPLEMENTATION, else the image name (seldonio/sklearnserver
// -> SKLEARN_SERVER), which is how one kit image can play every Seldon server image.
import { parseArgs } from 'node:util';
import { parseSeldonParameters, type ParameterValue } from './runtimes/parameters.js';
import { unitFromEnv, type UnitInfo } from './unit.js';

/** A flag or variable has a value that cannot work; the message says which and why. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ServeConfig {
  implementation?: string;
  modelUri?: string;
  modelModule?: string;
  modelClass?: string;
  /** The node's typed parameters (model_uri included, as Seldon passes it). */
  parameters: Record<string, ParameterValue>;
  host: string;
  httpPort: number;
  unit: UnitInfo;
  /** The model's name in V2 paths. */
  name: string;
  version?: string;
  maxBodyBytes?: number;
  maxDepth?: number;
  metricsPort?: number;
  metricsPath: string;
  corsOrigins: '*' | string[];
  /** Where remote model files go (default: a new temporary folder). */
  modelDest?: string;
  storageTimeoutMs?: number;
  storageMaxBytes?: number;
  shutdownTimeoutMs: number;
}

/** The images Seldon's operator runs for each prepackaged implementation (protocol seldon, 1.11). */
export const SELDON_IMAGES: Record<string, string> = {
  SKLEARN_SERVER: 'seldonio/sklearnserver:1.11.0',
  XGBOOST_SERVER: 'seldonio/xgboostserver:1.11.0',
};

export const SERVE_USAGE = `usage: seldon-lab serve [options]

Serves a model over Seldon's protocol v1 and the Open Inference Protocol (V2) on one port.
Every option can also come from Seldon's container environment (flags win).

model (one of):
  --implementation NAME   SKLEARN_SERVER or XGBOOST_SERVER (default: from PREDICTIVE_UNIT_IMAGE)
  --model-uri URI         the model files: /path, file://, gs://, http(s)://, pvc:// (or model_uri in
                          PREDICTIVE_UNIT_PARAMETERS)
  --method NAME           SKLEARN_SERVER: predict_proba (default), predict or decision_function
  --model-module FILE     your own model: a .ts or .js module exporting a class with predict()
  --model-class NAME      the class to serve (default: the module's only model class)
  --parameters JSON       Seldon parameters, [{"name":..,"value":..,"type":..}] (PREDICTIVE_UNIT_PARAMETERS)

server:
  --http-port N           default 9000 (PREDICTIVE_UNIT_HTTP_SERVICE_PORT)
  --host ADDRESS          default 0.0.0.0 (use 127.0.0.1 to stay on this machine)
  --name NAME             the unit's name (PREDICTIVE_UNIT_ID); V2 serves /v2/models/NAME
  --image IMAGE           the unit's image, shown in meta.requestPath (PREDICTIVE_UNIT_IMAGE)
  --model-version V       the model's version in V2 answers
  --metrics-port N        also serve metrics alone on this port (PREDICTIVE_UNIT_METRICS_SERVICE_PORT)
  --max-body-bytes N      largest request body (default 10485760); larger ones get HTTP 413
  --max-depth N           deepest nesting of arrays in a request (default 64)
  --shutdown-timeout S    seconds to let requests finish on SIGTERM (default 20)

model download:
  --model-dest DIR        where to put downloaded files (default: a temporary folder)
  --storage-timeout S     give up downloading after S seconds (default 600)
  --storage-max-bytes N   refuse models larger than N bytes (default 2 GiB)
`;

function integer(value: string | undefined, what: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n < min || n > max) throw new UsageError(`${what} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return n;
}

/** The implementation an image name stands for: seldonio/sklearnserver:1.11.0 -> SKLEARN_SERVER. */
export function implementationOfImage(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const name = image.split(':')[0].split('/').pop() ?? '';
  if (name === 'sklearnserver') return 'SKLEARN_SERVER';
  if (name === 'xgboostserver') return 'XGBOOST_SERVER';
  return undefined;
}

/** Reads `serve`'s flags (argv without the command name) over `env`. */
export function readServeConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        implementation: { type: 'string' },
        'model-uri': { type: 'string' },
        method: { type: 'string' },
        'model-module': { type: 'string' },
        'model-class': { type: 'string' },
        parameters: { type: 'string' },
        'http-port': { type: 'string' },
        host: { type: 'string' },
        name: { type: 'string' },
        image: { type: 'string' },
        'model-version': { type: 'string' },
        'metrics-port': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'max-depth': { type: 'string' },
        'shutdown-timeout': { type: 'string' },
        'model-dest': { type: 'string' },
        'storage-timeout': { type: 'string' },
        'storage-max-bytes': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) throw new UsageError('');
  const flag = (name: string): string | undefined => values[name] as string | undefined;

  let parameters: Record<string, ParameterValue>;
  try {
    parameters = parseSeldonParameters(flag('parameters') ?? env.PREDICTIVE_UNIT_PARAMETERS);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (flag('method')) parameters.method = flag('method') as string;

  const envUnit = unitFromEnv(env);
  const modelModule = flag('model-module') ?? (env.SELDON_LAB_MODEL_MODULE || undefined);
  const implementation = flag('implementation') ?? (env.SELDON_LAB_IMPLEMENTATION || undefined) ?? (modelModule ? undefined : implementationOfImage(flag('image') ?? envUnit.image));
  const unitId = flag('name') ?? envUnit.unitId;
  const image = flag('image') ?? envUnit.image ?? (unitId && implementation ? SELDON_IMAGES[implementation] : undefined);
  const modelUri = flag('model-uri') ?? (typeof parameters.model_uri === 'string' ? parameters.model_uri : undefined);
  if (!modelModule && !implementation) {
    throw new UsageError('Nothing to serve: give --implementation SKLEARN_SERVER|XGBOOST_SERVER with --model-uri, or --model-module ./my-model.ts');
  }
  if (implementation && !modelModule && !modelUri) throw new UsageError(`${implementation} needs --model-uri (or model_uri in PREDICTIVE_UNIT_PARAMETERS)`);

  const port = integer(flag('http-port') ?? env.PREDICTIVE_UNIT_HTTP_SERVICE_PORT ?? env.PREDICTIVE_UNIT_SERVICE_PORT, 'the HTTP port', 0, 65535) ?? 9000;
  const metricsPort = integer(flag('metrics-port') ?? env.PREDICTIVE_UNIT_METRICS_SERVICE_PORT, 'the metrics port', 0, 65535);
  const origins = (env.CORS_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '');
  const seconds = (value: string | undefined, what: string, max: number): number | undefined => {
    const s = integer(value, what, 1, max);
    return s === undefined ? undefined : s * 1000;
  };

  return {
    implementation,
    modelUri,
    modelModule,
    modelClass: flag('model-class') ?? (env.SELDON_LAB_MODEL_CLASS || undefined),
    parameters,
    host: flag('host') ?? '0.0.0.0',
    httpPort: port,
    unit: { ...envUnit, unitId, image },
    name: unitId ?? 'model',
    version: flag('model-version'),
    maxBodyBytes: integer(flag('max-body-bytes'), '--max-body-bytes', 1, 2 ** 31),
    maxDepth: integer(flag('max-depth'), '--max-depth', 2, 10_000),
    metricsPort: metricsPort === port ? undefined : metricsPort,
    metricsPath: env.PREDICTIVE_UNIT_METRICS_ENDPOINT || '/prometheus',
    corsOrigins: origins.length === 0 || origins.includes('*') ? '*' : origins,
    modelDest: flag('model-dest'),
    storageTimeoutMs: seconds(flag('storage-timeout'), '--storage-timeout', 86_400),
    storageMaxBytes: integer(flag('storage-max-bytes'), '--storage-max-bytes', 1, Number.MAX_SAFE_INTEGER),
    shutdownTimeoutMs: seconds(flag('shutdown-timeout'), '--shutdown-timeout', 3600) ?? 20_000,
  };
}
