// SPDX-License-Identifier: Apache-2.0
// Which resource types the server serves, as discovery (`kubectl api-resources`) would answer:
// the built-in table plus every version of every CustomResourceDefinition. The garbage collector
// and the namespace controller must reach objects of *every* type, including ones defined after
// they started, so they read the same two sources the API server builds its discovery from.
import type { ResourceRef } from '../apiserver/api.js';
import { BUILTIN_TYPES, typesOfCrd } from '../apiserver/resources.js';
import type { KubeObject, ResourceType } from '../apiserver/types.js';

/** What a type must allow for these controllers to follow and remove its objects (upstream's "deletable resources"). */
const NEEDED_VERBS = ['list', 'watch', 'delete'];

/**
 * One entry per stored resource (group + plural), in the version objects are stored in: watching
 * two versions of one resource would only show every object twice. Types that cannot be listed,
 * watched and deleted (`bindings`, which is an action, not storage) are left out.
 */
export function servedResources(crds: KubeObject[]): ResourceType[] {
  const byResource = new Map<string, ResourceType>();
  const crdTypes = crds.flatMap((crd) => typesOfCrd(crd as Parameters<typeof typesOfCrd>[0]));
  for (const type of [...BUILTIN_TYPES, ...crdTypes]) {
    if (!NEEDED_VERBS.every((verb) => type.verbs.includes(verb))) continue;
    const id = `${type.group}/${type.plural}`;
    const seen = byResource.get(id);
    if (!seen || (seen.version !== seen.storageVersion && type.version === type.storageVersion)) byResource.set(id, type);
  }
  return [...byResource.values()];
}

export function refOf(type: ResourceType): ResourceRef {
  return { group: type.group, version: type.version, plural: type.plural };
}

/** The served type of an `apiVersion` + `kind`, as an ownerReference names its owner. */
export function typeOfKind(types: ResourceType[], apiVersion: string, kind: string): ResourceType | undefined {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return types.find((t) => t.group === group && t.kind === kind);
}
