// SPDX-License-Identifier: Apache-2.0
// The `/scale` subresource: a Deployment, ReplicaSet or custom resource seen as an autoscaling/v1
// `Scale` (`kubectl scale`, HorizontalPodAutoscalers). Reading builds the Scale from the object;
// writing copies `spec.replicas` back into the object, so a scale is an ordinary spec change
// (generation rises, controllers react).
import { getPath, setPath } from './objects.js';
import { labelSelectorFromSpec, type LabelSelectorSpec } from './selectors.js';
import { errors } from './status.js';
import type { KubeObject, ResourceType } from './types.js';

export interface Scale {
  apiVersion: 'autoscaling/v1';
  kind: 'Scale';
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: string };
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

function scalePaths(type: ResourceType): NonNullable<ResourceType['subresources']['scale']> {
  const paths = type.subresources.scale;
  if (!paths) throw errors.noResource();
  return paths;
}

/** The Scale view of an object. */
export function scaleOf(type: ResourceType, object: KubeObject): Scale {
  const paths = scalePaths(type);
  const m = object.metadata;
  let selector: string | undefined;
  if (type.builtin) {
    const spec = getPath(object, '.spec.selector') as LabelSelectorSpec | undefined;
    selector = spec ? labelSelectorFromSpec(spec).toString() : undefined;
  } else if (paths.labelSelectorPath) {
    const value = getPath(object, paths.labelSelectorPath);
    selector = typeof value === 'string' ? value : undefined;
  }
  const specReplicas = getPath(object, paths.specReplicasPath);
  const statusReplicas = getPath(object, paths.statusReplicasPath);
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: typeof specReplicas === 'number' ? specReplicas : type.builtin ? 1 : 0 },
    status: { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0, ...(selector !== undefined ? { selector } : {}) },
  };
}

/**
 * The object after a write of `scale`: a copy of `current` with the new replica count and the
 * Scale's resourceVersion, if it has one (a precondition, like any update's).
 */
export function applyScale(type: ResourceType, current: KubeObject, scale: unknown): KubeObject {
  const paths = scalePaths(type);
  const s = scale as Partial<Scale> | undefined;
  const replicas = s?.spec?.replicas;
  const name = current.metadata.name ?? '';
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
    throw errors.invalid('Scale', 'autoscaling', name, [
      { reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be an integer` },
    ]);
  }
  if (replicas < 0) {
    throw errors.invalid('Scale', 'autoscaling', name, [
      { reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${replicas}: must be greater than or equal to 0` },
    ]);
  }
  if (s?.metadata?.name !== undefined && s.metadata.name !== name) {
    throw errors.badRequest(`the name of the object (${s.metadata.name}) does not match the name on the URL (${name})`);
  }
  const next = structuredClone(current);
  setPath(next, paths.specReplicasPath, replicas);
  // A Scale without a resourceVersion is an unconditional write, for custom resources too.
  next.metadata.resourceVersion = s?.metadata?.resourceVersion || current.metadata.resourceVersion;
  return next;
}
