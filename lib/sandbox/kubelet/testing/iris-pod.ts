// SPDX-License-Identifier: Apache-2.0
// The iris model server as a pod, shaped like the one Seldon's operator makes for the seed's
// SeldonDeployment (seldon-v1-facts.md §2): Seldon's image, port, environment, probes, preStop
// hook and grace period.
//
// - irisPodSpec(): the model comes straight from the offline store by --model-uri, and the server
//   is told its address by --host (the short form, for kubelet tests).
// - seldonIrisPodSpec(): Seldon's own form, unchanged: the storage initializer copies the model
//   into the emptyDir at /mnt/models, and the server reads `model_uri=/mnt/models` from
//   PREDICTIVE_UNIT_PARAMETERS and listens on every address; the kubelet's SELDON_LAB_MOUNTS and
//   SELDON_LAB_BIND_ADDRESS make both work for local processes (lib/server/container-env.ts).
export const IRIS_URI = 'gs://seldon-models/v1.11.0-dev/sklearn/iris';

/** The labels Seldon gives the pods of `iris`'s predictor `default` (and selects them by). */
export const SELDON_IRIS_LABELS = { 'seldon-app': 'iris-default', 'seldon-app-svc': 'iris-default-classifier', 'seldon-deployment-id': 'iris' };

/**
 * What Seldon's operator gives a model container that sets none of its own: tcpSocket probes on
 * the port named `http` (9000), and a preStop hook that lets requests in flight finish before
 * SIGTERM. Both forms carry them, so both become Ready, and stop, the way Seldon's pod does.
 */
function seldonProbesAndHook(): Record<string, unknown> {
  const tcpHttp = { tcpSocket: { port: 'http' }, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1 };
  return {
    readinessProbe: { ...tcpHttp, initialDelaySeconds: 20 },
    livenessProbe: { ...tcpHttp, initialDelaySeconds: 60 },
    lifecycle: { preStop: { exec: { command: ['/bin/sleep', '10'] } } },
  };
}

export function seldonIrisPodSpec(): Record<string, unknown> {
  return {
    terminationGracePeriodSeconds: 20,
    securityContext: { runAsUser: 8888 },
    initContainers: [{
      name: 'classifier-model-initializer',
      image: 'seldonio/rclone-storage-initializer:1.11.0',
      args: [IRIS_URI, '/mnt/models'],
      resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { cpu: '1', memory: '1Gi' } },
      volumeMounts: [{ name: 'classifier-provision-location', mountPath: '/mnt/models' }],
    }],
    containers: [{
      name: 'classifier',
      image: 'seldonio/sklearnserver:1.11.0',
      env: [
        { name: 'PREDICTIVE_UNIT_PARAMETERS', value: '[{"name":"model_uri","value":"/mnt/models","type":"STRING"}]' },
        { name: 'PREDICTIVE_UNIT_SERVICE_PORT', value: '9000' },
        { name: 'PREDICTIVE_UNIT_HTTP_SERVICE_PORT', value: '9000' },
        { name: 'PREDICTIVE_UNIT_GRPC_SERVICE_PORT', value: '9500' },
        { name: 'PREDICTIVE_UNIT_ID', value: 'classifier' },
        { name: 'PREDICTIVE_UNIT_IMAGE', value: 'seldonio/sklearnserver:1.11.0' },
        { name: 'PREDICTOR_ID', value: 'default' },
        { name: 'PREDICTOR_LABELS', value: '{"version":"default"}' },
        { name: 'SELDON_DEPLOYMENT_ID', value: 'iris' },
        { name: 'PREDICTIVE_UNIT_METRICS_SERVICE_PORT', value: '6000' },
        { name: 'PREDICTIVE_UNIT_METRICS_ENDPOINT', value: '/prometheus' },
      ],
      ports: [
        { name: 'metrics', containerPort: 6000, protocol: 'TCP' },
        { name: 'http', containerPort: 9000, protocol: 'TCP' },
        { name: 'grpc', containerPort: 9500, protocol: 'TCP' },
      ],
      ...seldonProbesAndHook(),
      volumeMounts: [
        { name: 'classifier-provision-location', mountPath: '/mnt/models', readOnly: true },
        { name: 'seldon-podinfo', mountPath: '/etc/podinfo' },
      ],
    }],
    volumes: [
      { name: 'classifier-provision-location', emptyDir: {} },
      { name: 'seldon-podinfo', downwardAPI: { items: [{ path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } }] } },
    ],
  };
}

export function irisPodSpec(): Record<string, unknown> {
  return {
    terminationGracePeriodSeconds: 20,
    containers: [{
      name: 'classifier',
      image: 'seldonio/sklearnserver:1.11.0',
      args: ['--model-uri', IRIS_URI, '--host', '$(POD_IP)'],
      env: [
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'PREDICTIVE_UNIT_SERVICE_PORT', value: '9000' },
        { name: 'PREDICTIVE_UNIT_HTTP_SERVICE_PORT', value: '9000' },
        { name: 'PREDICTIVE_UNIT_ID', value: 'classifier' },
        { name: 'PREDICTIVE_UNIT_IMAGE', value: 'seldonio/sklearnserver:1.11.0' },
        { name: 'PREDICTOR_ID', value: 'default' },
        { name: 'SELDON_DEPLOYMENT_ID', value: 'iris-model' },
      ],
      ports: [{ name: 'http', containerPort: 9000, protocol: 'TCP' }],
      ...seldonProbesAndHook(),
      securityContext: { runAsUser: 8888 },
    }],
  };
}
