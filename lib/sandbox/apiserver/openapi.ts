// SPDX-License-Identifier: Apache-2.0
// `/openapi/v3`: the OpenAPI documents kubectl and helm read before they write.
//
// kubectl 1.27+ asks the server to check unknown fields (`?fieldValidation=Strict`) only after the
// OpenAPI v3 document of the group version shows a PATCH operation for the kind that takes that
// parameter; otherwise it stops with "error validating data". So every served type gets its REST
// operations here, tagged with `x-kubernetes-group-version-kind`. Custom resources carry their CRD
// schema (which makes `kubectl explain` work for them); built-in types carry a stub schema.
//
// `/openapi/v2`, the older document that kubectl before 1.24 validates manifests with, is in
// openapi-v2.ts.
import { createHash } from 'node:crypto';
import { patchTypesFor } from './collaborators.js';
import type { ResourceRegistry } from './resources.js';
import type { ResourceType } from './types.js';

function reversedGroup(group: string): string {
  return group.split('.').reverse().join('.');
}

/** The component name of a type's schema, in Kubernetes' naming (`io.k8s.api.apps.v1.Deployment`). */
export function schemaName(type: ResourceType): string {
  if (!type.builtin) return `${reversedGroup(type.group)}.${type.version}.${type.kind}`;
  const group = type.group === '' ? 'core' : type.group.replace(/\.k8s\.io$/, '').replace(/\.authorization$/, '');
  const prefix = type.group === 'apiextensions.k8s.io' ? 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions' : `io.k8s.api.${group}`;
  return `${prefix}.${type.version}.${type.kind}`;
}

const QUERY = (name: string, description: string): Record<string, unknown> => ({
  name, in: 'query', description, schema: { type: 'string', uniqueItems: true },
});

const WRITE_PARAMETERS = [
  QUERY('dryRun', 'When present, indicates that modifications should not be persisted.'),
  QUERY('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  QUERY('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict.'),
];

function operation(type: ResourceType, action: string, description: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const ref = { $ref: `#/components/schemas/${schemaName(type)}` };
  return {
    description,
    operationId: `${action}${type.kind}`,
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: type.group, version: type.version, kind: type.kind },
    ...extra,
  };
}

function pathsOf(type: ResourceType): Record<string, unknown> {
  const base = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  const scope = type.namespaced ? `${base}/namespaces/{namespace}/${type.plural}` : `${base}/${type.plural}`;
  const body = { content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName(type)}` } } }, required: true };
  // Strategic merge patch is accepted but not listed: kubectl would then compute its patches from
  // these (stub) schemas instead of the type definitions compiled into it, and warn.
  const patchBody = {
    content: Object.fromEntries(patchTypesFor(type).filter((t) => t !== 'application/strategic-merge-patch+json').map((t) => [t, { schema: { type: 'object' } }])),
    required: true,
  };
  const pathParams = [
    { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
    ...(type.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' } }] : []),
  ];
  // Only the operations the type serves: `bindings` is a POST and nothing else.
  const serves = (verb: string) => type.verbs.includes(verb);
  const only = (ops: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(ops).filter(([, op]) => op !== undefined));
  const item = (suffix: string, what: string): Record<string, unknown> => only({
    get: serves('get') ? operation(type, 'get', `read ${what} of the specified ${type.kind}`) : undefined,
    put: serves('update') ? operation(type, 'put', `replace ${what} of the specified ${type.kind}`, { parameters: WRITE_PARAMETERS, requestBody: body }) : undefined,
    patch: serves('patch')
      ? operation(type, 'patch', `partially update ${what} of the specified ${type.kind}`, {
        parameters: [...WRITE_PARAMETERS, QUERY('force', 'Force is going to "force" Apply requests.')],
        requestBody: patchBody,
      })
      : undefined,
    delete: suffix === '' && serves('delete') ? operation(type, 'delete', `delete a ${type.kind}`) : undefined,
    parameters: pathParams,
  });
  const paths: Record<string, unknown> = {
    [scope]: only({
      get: serves('list') ? operation(type, 'list', `list or watch objects of kind ${type.kind}`) : undefined,
      post: serves('create') ? operation(type, 'post', `create a ${type.kind}`, { parameters: WRITE_PARAMETERS, requestBody: body }) : undefined,
      delete: serves('deletecollection') ? operation(type, 'deletecollection', `delete collection of ${type.kind}`) : undefined,
      ...(type.namespaced ? { parameters: [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' } }] } : {}),
    }),
  };
  if (serves('get')) paths[`${scope}/{name}`] = item('', 'the');
  if (type.subresources.status) paths[`${scope}/{name}/status`] = item('/status', 'status');
  if (type.namespaced && serves('list')) paths[`${base}/${type.plural}`] = { get: operation(type, 'list', `list or watch objects of kind ${type.kind}`) };
  return paths;
}

function schemaOf(type: ResourceType): Record<string, unknown> {
  const gvk = [{ group: type.group, version: type.version, kind: type.kind }];
  if (!type.builtin && type.schema) return { ...type.schema, 'x-kubernetes-group-version-kind': gvk };
  return { type: 'object', description: `${type.kind} (schema not published by the sandbox)`, 'x-kubernetes-group-version-kind': gvk };
}

/** The OpenAPI v3 document of one group version, or undefined when it is not served. */
export function groupVersionDocument(registry: ResourceRegistry, group: string, version: string, serverVersion: string): Record<string, unknown> | undefined {
  const types = registry.typesOf(group, version);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const type of types) {
    Object.assign(paths, pathsOf(type));
    schemas[schemaName(type)] = schemaOf(type);
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: serverVersion }, paths, components: { schemas } };
}

/** `/openapi/v3`: where each group version's document is, with a content hash clients cache by. */
export function openApiIndex(registry: ResourceRegistry, serverVersion: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const { group, versions } of registry.groups()) {
    for (const version of versions) {
      const path = group ? `apis/${group}/${version}` : `api/${version}`;
      const doc = groupVersionDocument(registry, group, version, serverVersion);
      const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
    }
  }
  return { paths };
}
