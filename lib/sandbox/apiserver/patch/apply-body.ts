// SPDX-License-Identifier: Apache-2.0
// Decoding a server-side apply body. It is YAML (JSON is YAML too; kubectl and helm send JSON),
// read as Go's sigs.k8s.io/yaml reads it: YAML 1.1 (so `on`, `yes`, `off` are booleans and 0777 is
// octal), duplicate keys allowed (the last wins), and an empty body meaning an empty object.
// Errors read "error decoding YAML: error converting YAML to JSON: yaml: line N: ..." with
// go-yaml's wording for the common mistakes; rarer ones keep the YAML library's own wording.
import { parse, YAMLParseError } from 'yaml';
import { errors } from '../status.js';
import { goJsonKind } from './go-json.js';

/** go-yaml's message for the YAML library's error codes, where they describe the same mistake. */
const GO_YAML_MESSAGES: Record<string, string> = {
  TAB_AS_INDENT: 'found character that cannot start any token',
  BAD_INDENT: 'did not find expected key',
  BLOCK_AS_IMPLICIT_KEY: 'did not find expected key',
  MULTILINE_IMPLICIT_KEY: 'could not find expected \':\'',
};

function goYamlMessage(e: YAMLParseError): string {
  const line = e.linePos?.[0]?.line ?? 1;
  let text: string;
  if (/Nested mappings are not allowed/.test(e.message)) text = 'mapping values are not allowed in this context';
  else if (/Missing closing/.test(e.message)) text = 'found unexpected end of stream';
  else text = GO_YAML_MESSAGES[e.code] ?? e.message.split(' at line ')[0].replace(/^./, (c) => c.toLowerCase());
  return `yaml: line ${line}: ${text}`;
}

/** The apply configuration in `text`, or a 400 with the API server's decoding error. */
export function decodeApplyBody(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parse(text, { version: '1.1', uniqueKeys: false });
  } catch (e) {
    if (e instanceof YAMLParseError) throw errors.badRequest(`error decoding YAML: error converting YAML to JSON: ${goYamlMessage(e)}`);
    throw errors.badRequest(`error decoding YAML: error converting YAML to JSON: ${(e as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw errors.badRequest(
      `error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${goJsonKind(value)} into Go value of type map[string]interface {}`,
    );
  }
  return value as Record<string, unknown>;
}
