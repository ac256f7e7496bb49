// SPDX-License-Identifier: Apache-2.0
// Who this model server is inside a SeldonDeployment: the names the operator gives the container
// through its environment, and that show up in `meta.requestPath` and in every metric's labels.
//
// The operator sets PREDICTIVE_UNIT_ID (the graph node, e.g. `classifier`), PREDICTIVE_UNIT_IMAGE
// (`seldonio/sklearnserver:1.11.0`), PREDICTOR_ID (`default`), PREDICTOR_LABELS
// (`{"version":"default"}`) and SELDON_DEPLOYMENT_ID (`iris-model`). Outside a cluster they are
// unset, and Seldon then reports NOT_IMPLEMENTED in metrics and no requestPath at all.

export interface UnitInfo {
  /** PREDICTIVE_UNIT_ID: the graph node's name. */
  unitId?: string;
  /** PREDICTIVE_UNIT_IMAGE: the container image, `name:tag`. */
  image?: string;
  /** PREDICTOR_ID: the predictor's name. */
  predictorName?: string;
  /** `version` from PREDICTOR_LABELS. */
  predictorVersion?: string;
  /** SELDON_DEPLOYMENT_ID: the SeldonDeployment's name. */
  deploymentName?: string;
}

/** Seldon's placeholder for a name the environment does not give. */
export const NOT_IMPLEMENTED = 'NOT_IMPLEMENTED';

/** Reads the unit's names from Seldon's environment variables. */
export function unitFromEnv(env: NodeJS.ProcessEnv = process.env): UnitInfo {
  let predictorVersion: string | undefined;
  if (env.PREDICTOR_LABELS) {
    try {
      const labels = JSON.parse(env.PREDICTOR_LABELS) as { version?: unknown };
      if (typeof labels.version === 'string') predictorVersion = labels.version;
    } catch {
      // A malformed label map only costs the version label; the server still starts.
    }
  }
  return {
    unitId: env.PREDICTIVE_UNIT_ID || undefined,
    image: env.PREDICTIVE_UNIT_IMAGE || undefined,
    predictorName: env.PREDICTOR_ID || undefined,
    predictorVersion,
    deploymentName: env.SELDON_DEPLOYMENT_ID || undefined,
  };
}

/** `{unit id: image}` for `meta.requestPath`, or {} when the unit has no id (as Seldon does). */
export function requestPathOf(unit: UnitInfo): Record<string, string> {
  return unit.unitId ? { [unit.unitId]: unit.image ?? `${NOT_IMPLEMENTED}:${NOT_IMPLEMENTED}` } : {};
}

/** `seldonio/sklearnserver:1.11.0` -> ['seldonio/sklearnserver', '1.11.0'] (the tag after the last colon). */
export function splitImage(image: string): [name: string, version: string] {
  const colon = image.lastIndexOf(':');
  // A colon before the last slash belongs to a registry port (localhost:5000/model), not a tag.
  if (colon < 0 || colon < image.lastIndexOf('/')) return [image, ''];
  return [image.slice(0, colon), image.slice(colon + 1)];
}
