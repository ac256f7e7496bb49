// SPDX-License-Identifier: Apache-2.0
// Every version and name the live path depends on, in one place: the Emissary-ingress charts, the
// minikube profile and its size, the namespaces and release names. The kit's own image names are
// pinned in cluster/images.json (read by images.ts), because the sandbox reads them too.
import { INGRESS_FLAVOURS, type IngressFlavour } from '../../lib/operator/config.js';
import { fromRoot } from '../../lib/paths.js';

export { INGRESS_FLAVOURS, type IngressFlavour };

/**
 * Emissary-ingress, Ambassador's open-source successor. 3.10 is the first release that ships its
 * CRDs as a chart of their own, both from the project's OCI registry (its Quickstart installs them
 * this way). `getambassador.io/v3alpha1` Mappings, which the operator writes by default, are
 * served by every Emissary 2.x and 3.x.
 */
export const EMISSARY = {
  version: '3.10.0',
  crdsChart: 'oci://ghcr.io/emissary-ingress/emissary-crds-chart',
  chart: 'oci://ghcr.io/emissary-ingress/emissary-ingress',
  namespace: 'emissary',
  /** Where the CRDs chart puts its conversion webhook when the legacy v2 Mappings are wanted. */
  legacyNamespace: 'emissary-system',
  crdsRelease: 'emissary-crds',
  /** Named so that the chart's Service is `emissary-ingress` (Helm's fullname rule). */
  release: 'emissary-ingress',
  service: 'emissary-ingress',
  /** The Service's HTTP port; the Listener in cluster/ingress/ makes Envoy listen on 8080 behind it. */
  servicePort: 80,
  /** The CRDs the Listener, the Host and the operator's Mappings need. */
  crds: ['listeners.getambassador.io', 'hosts.getambassador.io', 'mappings.getambassador.io'],
} as const;

/** The kit's operator chart and where it goes (the seed installed Seldon into seldon-system). */
export const OPERATOR = {
  chartDir: 'cluster/charts/seldon-lab-operator',
  crdFile: 'cluster/charts/seldon-lab-operator/crds/seldondeployments.machinelearning.seldon.io.yaml',
  namespace: 'seldon-system',
  release: 'seldon-lab-operator',
  /** The Deployment's name: the release name contains the chart name, so Helm uses it as is. */
  deployment: 'seldon-lab-operator',
  crd: 'seldondeployments.machinelearning.seldon.io',
} as const;

/** The namespace the seed's sample.yaml and the lessons use. */
export const MODEL_NAMESPACE = 'seldon';

/**
 * minikube. The seed asked for 4 CPUs and 4 GB; the kit needs less. What runs: the control plane
 * (about 0.75 CPU requested, under 1 GB in use), Emissary (one replica, 200m and 300Mi), the operator (50m,
 * 96Mi) and a model pod or two (100m and 128Mi each, plus their storage initializer while it
 * copies). That is about 1.2 CPU requested and under 2 GB in use, so 2 CPUs and 4 GB leave room for a few
 * more SeldonDeployments and for building the images inside minikube, on a laptop that keeps
 * its other cores free.
 */
export const MINIKUBE = {
  profile: 'seldon-lab',
  cpus: 2,
  memory: '4g',
  /** The chart's kubeVersion (>=1.25.0-0): CEL validation in the CRD needs it. */
  minKubernetesMinor: 25,
} as const;

/** Files of the live path, as absolute paths. */
export const FILES = {
  emissaryValues: () => fromRoot('cluster', 'ingress', 'emissary-values.yaml'),
  listenerAndHost: () => fromRoot('cluster', 'ingress', 'listener-host.yaml'),
  operatorChart: () => fromRoot(OPERATOR.chartDir),
  operatorCrd: () => fromRoot(OPERATOR.crdFile),
  sample: () => fromRoot('cluster', 'samples', 'sample.yaml'),
};
