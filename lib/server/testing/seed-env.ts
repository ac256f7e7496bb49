// SPDX-License-Identifier: Apache-2.0
// The environment of the seed's classifier container: both sides of one contract. This kit's
// operator renders it for the seed's sample.yaml (SeldonDeployment `iris-model`, predictor
// `default`, node `classifier`), and the model server configures itself from it alone. So the
// operator's render test expects exactly this, and the server's config test reads exactly this:
// a change on one side that the other does not follow fails a test.
//
// Seldon's own operator sets the same variables (seldon-v1-facts.md §2), and also the gRPC port
// and SELDON_EXECUTOR_ENABLED, which belong to the gRPC server and the executor this kit leaves out.
export const SEED_CLASSIFIER_ENV: Readonly<Record<string, string>> = {
  PREDICTIVE_UNIT_PARAMETERS: '[{"name":"model_uri","value":"/mnt/models","type":"STRING"}]',
  PREDICTIVE_UNIT_SERVICE_PORT: '9000',
  PREDICTIVE_UNIT_HTTP_SERVICE_PORT: '9000',
  PREDICTIVE_UNIT_ID: 'classifier',
  PREDICTIVE_UNIT_IMAGE: 'seldonio/sklearnserver:1.11.0',
  PREDICTOR_ID: 'default',
  PREDICTOR_LABELS: '{"version":"default"}',
  SELDON_DEPLOYMENT_ID: 'iris-model',
  PREDICTIVE_UNIT_METRICS_SERVICE_PORT: '6000',
  PREDICTIVE_UNIT_METRICS_ENDPOINT: '/prometheus',
};
