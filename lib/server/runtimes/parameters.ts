// SPDX-License-Identifier: Apache-2.0
// Seldon's typed model parameters: the graph node's `parameters` list, which the operator passes
// to the container as PREDICTIVE_UNIT_PARAMETERS, e.g.
//   [{"name":"method","value":"predict","type":"STRING"},{"name":"model_uri","value":"/mnt/models","type":"STRING"}]
// Every value travels as a string; `type` (INT, FLOAT, DOUBLE, STRING, BOOL) says how to read it.
// Seldon's Python wrapper converts them the same way and hands them to the model's constructor.
import { MicroserviceError } from '../model.js';

export type ParameterType = 'INT' | 'FLOAT' | 'DOUBLE' | 'STRING' | 'BOOL';
export type ParameterValue = string | number | boolean;

export interface SeldonParameter {
  name: string;
  value: string;
  type: ParameterType;
}

const INT = /^\s*[+-]?\d+\s*$/;
const FLOAT = /^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf(inity)?|nan)\s*$/i;
const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);

function badParameter(message: string): MicroserviceError {
  return new MicroserviceError(message, 500, 'MICROSERVICE_BAD_PARAMETER');
}

/** Converts one parameter's string value by its type. */
export function convertParameter(p: SeldonParameter): ParameterValue {
  const value = String(p.value);
  const cannot = (): MicroserviceError =>
    badParameter(`Bad model parameter: ${p.name} with value ${value} can't be parsed as a ${p.type}`);
  switch (p.type) {
    case 'STRING':
      return value;
    case 'INT': {
      if (!INT.test(value)) throw cannot();
      const n = Number(value);
      if (!Number.isSafeInteger(n)) throw cannot();
      return n;
    }
    case 'FLOAT':
    case 'DOUBLE': {
      if (!FLOAT.test(value)) throw cannot();
      const text = value.trim().toLowerCase().replace(/^\+/, '');
      if (text.endsWith('nan')) return NaN;
      if (text.endsWith('inf') || text.endsWith('infinity')) return text.startsWith('-') ? -Infinity : Infinity;
      return Number(text);
    }
    case 'BOOL': {
      const word = value.trim().toLowerCase();
      if (TRUE.has(word)) return true;
      if (FALSE.has(word)) return false;
      throw cannot();
    }
    default:
      throw badParameter(`Bad model parameter type: ${String((p as { type: unknown }).type)} for ${p.name}; valid types are INT, FLOAT, DOUBLE, STRING, BOOL`);
  }
}

/**
 * Reads PREDICTIVE_UNIT_PARAMETERS (a JSON list, or the list itself) into `{name: value}` with
 * typed values. Throws a clear error naming the parameter when one cannot be read.
 */
export function parseSeldonParameters(source: string | unknown[] | undefined): Record<string, ParameterValue> {
  if (source === undefined || source === '') return {};
  let list: unknown;
  if (typeof source === 'string') {
    try {
      list = JSON.parse(source);
    } catch (err) {
      throw badParameter(`PREDICTIVE_UNIT_PARAMETERS is not valid JSON (${(err as Error).message}); it must be a list like [{"name":"method","value":"predict","type":"STRING"}]`);
    }
  } else list = source;
  if (!Array.isArray(list)) throw badParameter('PREDICTIVE_UNIT_PARAMETERS must be a JSON list of {name, value, type}');
  const out: Record<string, ParameterValue> = {};
  list.forEach((item, i) => {
    const p = item as Partial<SeldonParameter> | null;
    if (!p || typeof p !== 'object' || typeof p.name !== 'string' || p.name === '' || p.value === undefined || p.value === null) {
      throw badParameter(`PREDICTIVE_UNIT_PARAMETERS[${i}] must be {"name": ..., "value": ..., "type": ...}; got ${JSON.stringify(item)}`);
    }
    out[p.name] = convertParameter({ name: p.name, value: String(p.value), type: (p.type ?? 'STRING') as ParameterType });
  });
  return out;
}
