// SPDX-License-Identifier: Apache-2.0
// The URL rules of the Python client, one by one.
import { describe, expect, it } from 'vitest';
import { SeldonClientException } from './errors.js';
import { explainUrl, feedbackUrl, microserviceUrl, predictionUrl, schemeFor, type UrlArgs } from './urls.js';

const args = (over: Partial<UrlArgs> = {}): UrlArgs => ({
  gateway: 'ambassador',
  gatewayEndpoint: 'localhost:8003',
  namespace: 'seldon',
  deploymentName: 'iris-model',
  ...over,
});

describe('predictionUrl', () => {
  it('goes through the ingress under /seldon/<namespace>/<deployment>/ for ambassador and istio', () => {
    expect(predictionUrl(args())).toBe('http://localhost:8003/seldon/seldon/iris-model/api/v1.0/predictions');
    expect(predictionUrl(args({ gateway: 'istio', gatewayEndpoint: '10.0.0.1:80' }))).toBe(
      'http://10.0.0.1:80/seldon/seldon/iris-model/api/v1.0/predictions',
    );
  });

  it('leaves the namespace out when there is none', () => {
    expect(predictionUrl(args({ namespace: undefined }))).toBe('http://localhost:8003/seldon/iris-model/api/v1.0/predictions');
  });

  it('talks to the orchestrator directly, on /api/v0.1/predictions, for gateway seldon', () => {
    expect(predictionUrl(args({ gateway: 'seldon', gatewayEndpoint: 'localhost:8000' }))).toBe('http://localhost:8000/api/v0.1/predictions');
  });

  it('puts gatewayPrefix in place of /seldon/<ns>/<deployment>', () => {
    expect(predictionUrl(args({ gatewayPrefix: '/models/iris' }))).toBe('http://localhost:8003/models/iris/api/v1.0/predictions');
    expect(predictionUrl(args({ gatewayPrefix: '/models/iris', deploymentName: undefined }))).toBe(
      'http://localhost:8003/models/iris/api/v1.0/predictions',
    );
  });

  it('puts httpPath after /seldon/<ns>/<deployment>, before gatewayPrefix is considered', () => {
    expect(predictionUrl(args({ httpPath: '/api/v1.0/metadata', gatewayPrefix: '/ignored' }))).toBe(
      'http://localhost:8003/seldon/seldon/iris-model/api/v1.0/metadata',
    );
  });

  it('uses https with credentials unless ssl says otherwise', () => {
    expect(predictionUrl(args({ callCredentials: { token: 't' } }))).toMatch(/^https:\/\/localhost:8003\//);
    expect(predictionUrl(args({ callCredentials: { token: 't' }, ssl: false }))).toMatch(/^http:\/\//);
    expect(predictionUrl(args({ ssl: true }))).toMatch(/^https:\/\//);
    expect(schemeFor({})).toBe('http');
  });

  it('needs a deployment name through an ingress, and says where to give it', () => {
    expect(() => predictionUrl(args({ deploymentName: undefined }))).toThrow(SeldonClientException);
    expect(() => predictionUrl(args({ deploymentName: undefined }))).toThrow(/deployment_name is required.*deploymentName/);
  });
});

describe('feedbackUrl', () => {
  it('is the prediction place with /api/v1.0/feedback', () => {
    expect(feedbackUrl(args())).toBe('http://localhost:8003/seldon/seldon/iris-model/api/v1.0/feedback');
    expect(feedbackUrl(args({ namespace: undefined }))).toBe('http://localhost:8003/seldon/iris-model/api/v1.0/feedback');
    expect(feedbackUrl(args({ gateway: 'seldon' }))).toBe('http://localhost:8003/api/v1.0/feedback');
    expect(feedbackUrl(args({ gatewayPrefix: '/p' }))).toBe('http://localhost:8003/p/api/v1.0/feedback');
  });
});

describe('explainUrl', () => {
  it('goes to the <deployment>-explainer/<predictor> mapping', () => {
    expect(explainUrl(args({ predictor: 'default' }))).toBe('http://localhost:8003/seldon/seldon/iris-model-explainer/default/api/v1.0/explain');
    expect(explainUrl(args({ predictor: 'default', namespace: undefined }))).toBe(
      'http://localhost:8003/seldon/iris-model-explainer/default/api/v1.0/explain',
    );
    expect(explainUrl(args({ gateway: 'seldon' }))).toBe('http://localhost:8003/api/v1.0/explain');
    expect(explainUrl(args({ gatewayPrefix: '/p' }))).toBe('http://localhost:8003/p/api/v1.0/explain');
    expect(explainUrl(args({ predictor: 'default', httpPath: '/x' }))).toBe('http://localhost:8003/seldon/seldon/iris-model-explainer/default/x');
  });

  it("needs the predictor through an ingress, with the Python client's message", () => {
    expect(() => explainUrl(args())).toThrow('Predictor parameter must be provided to talk through explainer via gateway');
  });
});

describe('microserviceUrl', () => {
  it('is http://<endpoint>/<method>', () => {
    expect(microserviceUrl('localhost:5000', 'transform-input')).toBe('http://localhost:5000/transform-input');
  });
});
