// SPDX-License-Identifier: Apache-2.0
// The model's metadata, for GET /metadata (Seldon v1) and GET /v2/models/<name> (V2).
//
// Seldon starts from defaults (name and version from the image, empty inputs and outputs),
// overlays what the model's `metadata()` returns, and validates the result against its schema;
// a model whose metadata does not validate still serves predictions, but /metadata answers 500
// MICROSERVICE_BAD_METADATA. Both are computed once, when the server starts.
import { Ajv } from 'ajv';
import type { ModelMetadata, SeldonModel } from './model.js';
import { splitImage, type UnitInfo } from './unit.js';

const DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'];
const PAYLOADS = ['tensor', 'ndarray', 'tftensor', 'jsonData', 'strData', 'binData'];

// Seldon's metadata schema (python/seldon_core/metadata.py): a tensor description either in
// Seldon's own form ({messagetype, schema}) or in V2's ({name, datatype, shape}).
const tensorSchema = {
  anyOf: [
    {
      type: 'object',
      properties: {
        messagetype: { type: 'string', enum: ['tensor', 'ndarray', 'tftensor'] },
        schema: {
          type: 'object',
          properties: { names: { type: 'array', items: { type: 'string' } }, shape: { type: 'array', items: { type: 'integer' } } },
          additionalProperties: false,
        },
      },
      required: ['messagetype'],
      additionalProperties: false,
    },
    { type: 'object', properties: { messagetype: { type: 'string', enum: ['jsonData'] }, schema: { type: 'object' } }, required: ['messagetype'], additionalProperties: false },
    { type: 'object', properties: { messagetype: { type: 'string', enum: ['strData', 'binData'] } }, required: ['messagetype'], additionalProperties: false },
    { type: 'object', properties: { messagetype: { type: 'string', not: { enum: PAYLOADS } }, schema: { type: 'object' } }, required: ['messagetype'], additionalProperties: false },
    {
      type: 'object',
      properties: { name: { type: 'string' }, datatype: { type: 'string', enum: DATATYPES }, shape: { type: 'array', items: { type: 'integer' } } },
      additionalProperties: false,
    },
  ],
};

const metadataSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } },
    platform: { type: 'string' },
    inputs: { type: 'array', items: tensorSchema },
    outputs: { type: 'array', items: tensorSchema },
    custom: { type: 'object', additionalProperties: { type: 'string' } },
  },
  additionalProperties: false,
};

let validate: ReturnType<Ajv['compile']> | undefined;

async function modelMetadata(model: SeldonModel): Promise<Partial<ModelMetadata>> {
  if (!model.metadata) return {};
  return (await model.metadata()) ?? {};
}

/**
 * Seldon's GET /metadata answer (`value`), or the reason it is unavailable (`error`). One object
 * type rather than a union: the notebook kernel's TypeScript runs without strict checks, where a
 * union would not narrow.
 */
export interface MetadataResult {
  value?: Record<string, unknown>;
  error?: string;
}

export async function seldonMetadata(model: SeldonModel, unit: UnitInfo): Promise<MetadataResult> {
  try {
    const [name, version] = unit.image ? splitImage(unit.image) : ['', ''];
    const value = { name, versions: [version], platform: '', inputs: [], outputs: [], custom: {}, ...(await modelMetadata(model)) };
    validate ??= new Ajv({ allErrors: false, strict: false }).compile(metadataSchema);
    if (!validate(value)) {
      const first = validate.errors?.[0];
      return { error: `metadata${first?.instancePath ?? ''} ${first?.message ?? 'is invalid'}` };
    }
    return { value };
  } catch (err) {
    return { error: `metadata() failed: ${(err as Error).message}` };
  }
}

/** The V2 model metadata: name, versions, platform, and the V2-style inputs and outputs. */
export async function v2Metadata(model: SeldonModel, name: string, version: string | undefined): Promise<ModelMetadata> {
  let meta: Partial<ModelMetadata> = {};
  try {
    meta = await modelMetadata(model);
  } catch {
    // The v1 /metadata reports the failure; V2 still answers with what the server knows.
  }
  // Whatever the model wrote, V2 gets well-typed fields (the v1 /metadata reports what is wrong).
  const v2Tensors = (list: unknown): NonNullable<ModelMetadata['inputs']> =>
    Array.isArray(list) ? list.filter((t) => t && typeof t.name === 'string' && typeof t.datatype === 'string' && Array.isArray(t.shape)) : [];
  const versions = Array.isArray(meta.versions) ? meta.versions.filter((v): v is string => typeof v === 'string') : undefined;
  return {
    name,
    versions: versions ?? (version ? [version] : []),
    platform: typeof meta.platform === 'string' ? meta.platform : '',
    inputs: v2Tensors(meta.inputs),
    outputs: v2Tensors(meta.outputs),
  };
}
