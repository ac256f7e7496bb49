// SPDX-License-Identifier: Apache-2.0
// Where each call goes: the URL rules of Seldon's Python client.
//
// Through an ingress (Ambassador, Istio) every SeldonDeployment lives under
// `/seldon/<namespace>/<deployment>/`, the prefix of the Mapping the operator writes; behind it is
// the deployment's orchestrator, which serves `/api/v1.0/predictions`. The `seldon` gateway means
// talking to that orchestrator directly (a port-forward to the deployment's service), so there is
// no prefix, and predictions use the older `/api/v0.1/` path as Python's client does.
import { SeldonClientException } from './errors.js';
import type { SeldonClientConfig } from './options.js';

export type UrlArgs = Pick<
  SeldonClientConfig,
  'gateway' | 'gatewayEndpoint' | 'namespace' | 'deploymentName' | 'gatewayPrefix' | 'ssl' | 'callCredentials'
> & { httpPath?: string; predictor?: string };

/** https when asked for, or, when not said, whenever credentials are sent (as in Python). */
export function schemeFor(args: Pick<UrlArgs, 'ssl' | 'callCredentials'>): 'http' | 'https' {
  if (args.ssl !== undefined) return args.ssl ? 'https' : 'http';
  return args.callCredentials ? 'https' : 'http';
}

function deploymentPath(args: UrlArgs, suffix = ''): string {
  if (!args.deploymentName) {
    throw new SeldonClientException(
      `deployment_name is required with gateway '${args.gateway}': pass deploymentName to the SeldonClient or to the call ` +
        "(the metadata.name of the SeldonDeployment, e.g. 'iris-model'), or give a gatewayPrefix.",
    );
  }
  // Without a namespace the path is /seldon/<deployment>/, the form Ambassador's single-namespace mode uses.
  const ns = args.namespace ? `${args.namespace}/` : '';
  return `/seldon/${ns}${args.deploymentName}${suffix}`;
}

// #region predictionUrl
/** The URL of a prediction, e.g. `http://localhost:8003/seldon/seldon/iris-model/api/v1.0/predictions`. */
export function predictionUrl(args: UrlArgs): string {
  const base = `${schemeFor(args)}://${args.gatewayEndpoint}`;
  if (args.gateway === 'seldon') return `${base}/api/v0.1/predictions`;
  if (args.httpPath !== undefined) return `${base}${deploymentPath(args)}${args.httpPath}`;
  if (args.gatewayPrefix !== undefined) return `${base}${args.gatewayPrefix}/api/v1.0/predictions`;
  return `${base}${deploymentPath(args)}/api/v1.0/predictions`;
}
// #endregion predictionUrl

/** The URL feedback goes to: the prediction's place, `/api/v1.0/feedback`. */
export function feedbackUrl(args: UrlArgs): string {
  const base = `${schemeFor(args)}://${args.gatewayEndpoint}`;
  if (args.gateway === 'seldon') return `${base}/api/v1.0/feedback`;
  if (args.gatewayPrefix !== undefined) return `${base}${args.gatewayPrefix}/api/v1.0/feedback`;
  return `${base}${deploymentPath(args)}/api/v1.0/feedback`;
}

/** The URL of an explainer: Seldon serves it as a separate deployment, `<deployment>-explainer/<predictor>`. */
export function explainUrl(args: UrlArgs): string {
  const base = `${schemeFor(args)}://${args.gatewayEndpoint}`;
  if (args.gateway === 'seldon') return `${base}/api/v1.0/explain`;
  if (args.httpPath === undefined && args.gatewayPrefix !== undefined) return `${base}${args.gatewayPrefix}/api/v1.0/explain`;
  if (!args.predictor) {
    throw new SeldonClientException(
      'Predictor parameter must be provided to talk through explainer via gateway ' +
        "(pass predictor: the predictor's name in the SeldonDeployment, e.g. 'default').",
    );
  }
  const path = deploymentPath(args, `-explainer/${args.predictor}`);
  return `${base}${path}${args.httpPath ?? '/api/v1.0/explain'}`;
}

/** A model microservice called directly, as the orchestrator calls it: `http://<endpoint>/<method>`. */
export function microserviceUrl(microserviceEndpoint: string, method: string): string {
  return `http://${microserviceEndpoint}/${method}`;
}
