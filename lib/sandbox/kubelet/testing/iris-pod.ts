// SPDX-License-Identifier: Apache-2.0
// The iris model server as a pod, shaped like the one Seldon's operator makes for the seed's
// SeldonDeployment (seldon-v1-facts.md §2): Seldon's image, port, environment, probes, preStop
// hook and grace period. The model comes straight from the offline store by --model-uri, and the
// server is told its address by --host: until lib/server honours the kubelet's SELDON_LAB_MOUNTS
// and SELDON_LAB_BIND_ADDRESS, the init-container form (storage initializer into /mnt/models)
// cannot run here.
export const IRIS_URI = 'gs://seldon-models/v1.11.0-dev/sklearn/iris';

export function irisPodSpec(): Record<string, unknown> {
  const tcp9000 = { tcpSocket: { port: 'http' }, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1 };
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
      readinessProbe: { ...tcp9000, initialDelaySeconds: 20 },
      livenessProbe: { ...tcp9000, initialDelaySeconds: 60 },
      lifecycle: { preStop: { exec: { command: ['/bin/sleep', '10'] } } },
      securityContext: { runAsUser: 8888 },
    }],
  };
}
