// SPDX-License-Identifier: Apache-2.0
// The OpenAPI 3 description of this server's API, served as /api/v1.0/doc/seldon.json and shown
// by the Swagger UI page at /api/v1.0/doc/ (the page the seed tutorial opens).
//
// Seldon's executor serves a similar document (its `engine.oas3.json`) for the whole deployment;
// this one describes what a model container answers: Seldon protocol v1 and the Open Inference
// Protocol V2. Its server URL is relative (`../../..`, from /api/v1.0/doc/ back to the root), so
// "Try it out" also works when the page is reached through the gateway's /seldon/<ns>/<name>/
// prefix. A test validates the document and checks real answers against its schemas.

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object, example?: unknown): object => ({ 'application/json': { schema, ...(example === undefined ? {} : { example }) } });

const seldonError = (description: string): object => ({ description, content: json(ref('SeldonError')) });
const v2Error = (description: string): object => ({ description, content: json(ref('V2Error')) });

const seedRequest = { data: { ndarray: [[1, 2, 3, 4]] } };
const seedResponse = {
  data: { names: ['t:0', 't:1', 't:2'], ndarray: [[0.0006985194531162835, 0.00366803903943666, 0.995633441507447]] },
  meta: { requestPath: { classifier: 'seldonio/sklearnserver:1.11.0' } },
};
const seedError = { status: { code: -1, info: 'Unknown data type returned as payload (must be list or np array):None', reason: 'MICROSERVICE_BAD_DATA', status: 1 } };

const prediction = (summary: string, operationId: string): object => ({
  summary,
  operationId,
  tags: ['Seldon protocol v1'],
  description:
    'Sends a SeldonMessage to the model. The answer keeps the request\'s container (`tensor` or `ndarray`), names the output columns `t:0 .. t:n-1`, copies `meta.puid` and sets `meta.requestPath`. The JSON may also come as the form field or query parameter `json=`.',
  parameters: [{ $ref: '#/components/parameters/SeldonPuid' }],
  requestBody: { required: true, content: json(ref('SeldonMessage'), seedRequest) },
  responses: {
    200: { description: 'The prediction', headers: { 'Seldon-Puid': { $ref: '#/components/headers/SeldonPuid' } }, content: json(ref('SeldonMessage'), seedResponse) },
    400: { description: 'Bad input (MICROSERVICE_BAD_DATA), e.g. the wrong number of features', content: json(ref('SeldonError'), seedError) },
    413: seldonError('The body is larger than the server accepts'),
    500: seldonError('The model failed (MICROSERVICE_INTERNAL_ERROR)'),
  },
});

const feedback = (operationId: string): object => ({
  summary: 'Send feedback (a reward and the true answer) for an earlier prediction',
  operationId,
  tags: ['Seldon protocol v1'],
  requestBody: { required: true, content: json(ref('Feedback'), { request: seedRequest, response: seedResponse, reward: 1, truth: { data: { ndarray: [[0, 0, 1]] } } }) },
  responses: { 200: { description: 'Acknowledged', content: json(ref('SeldonMessage')) }, 400: seldonError('Bad feedback message'), 500: seldonError('The model failed') },
});

const metadata = (operationId: string): object => ({
  summary: 'The model\'s metadata',
  operationId,
  tags: ['Seldon protocol v1'],
  responses: { 200: { description: 'Name, versions, platform, inputs and outputs', content: json(ref('SeldonModelMetadata')) }, 500: seldonError('The model\'s metadata is invalid (MICROSERVICE_BAD_METADATA)') },
});

const text = (description: string, example: string): object => ({ description, content: { 'text/plain': { schema: { type: 'string' }, example } } });
const modelPath = [
  { name: 'model_name', in: 'path', required: true, schema: { type: 'string' }, example: 'classifier' },
];
const versionPath = [...modelPath, { name: 'model_version', in: 'path', required: true, schema: { type: 'string' } }];

const v2Infer = (operationId: string, parameters: object[]): object => ({
  summary: 'Run inference (Open Inference Protocol)',
  operationId,
  tags: ['Open Inference Protocol (V2)'],
  parameters,
  requestBody: {
    required: true,
    content: json(ref('InferenceRequest'), { inputs: [{ name: 'predict', shape: [1, 4], datatype: 'FP64', data: [[1, 2, 3, 4]] }] }),
  },
  responses: {
    200: { description: 'The outputs', content: json(ref('InferenceResponse')) },
    400: v2Error('Bad request: a datatype, shape or element that does not fit'),
    404: v2Error('No such model or version'),
    413: v2Error('The body is larger than the server accepts'),
    500: v2Error('The model failed'),
  },
});

const v2Meta = (operationId: string, parameters: object[]): object => ({
  summary: 'Model metadata (Open Inference Protocol)',
  operationId,
  tags: ['Open Inference Protocol (V2)'],
  parameters,
  responses: { 200: { description: 'Name, versions, platform, inputs, outputs', content: json(ref('MetadataModelResponse')) }, 404: v2Error('No such model or version') },
});

const v2Ready = (operationId: string, parameters: object[]): object => ({
  summary: 'Is the model ready?',
  operationId,
  tags: ['Open Inference Protocol (V2)'],
  parameters,
  responses: { 200: { description: 'Ready (empty body)' }, 400: { description: 'Not ready (empty body)' }, 404: v2Error('No such model or version') },
});

const datatype = { type: 'string', enum: ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] };
const shape = { type: 'array', items: { type: 'integer', minimum: 0 } };

/** The OpenAPI 3.0 document (a fresh object each call, so callers may change their copy). */
export function seldonOpenApi(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'seldon-lab model server',
      version: '1.0.0',
      description:
        'The REST API of a seldon-lab model container: Seldon Core\'s protocol v1 (as its Python wrapper serves it) and the Open Inference Protocol V2. Behind the gateway every path is prefixed with `/seldon/<namespace>/<deployment>`.',
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    servers: [{ url: '../../..', description: 'This server (relative to the documentation page, so it works behind the gateway too)' }],
    tags: [
      { name: 'Seldon protocol v1', description: 'SeldonMessage in, SeldonMessage out' },
      { name: 'Open Inference Protocol (V2)', description: 'Typed tensors, as KServe, MLServer and Triton speak it' },
      { name: 'Health and metrics' },
    ],
    paths: {
      '/api/v1.0/predictions': { post: prediction('Predict', 'predictions') },
      '/predict': { post: prediction('Predict (the model microservice\'s own path)', 'predict') },
      '/api/v1.0/feedback': { post: feedback('feedback') },
      '/send-feedback': { post: feedback('sendFeedback') },
      '/api/v1.0/metadata': { get: metadata('metadata') },
      '/metadata': { get: metadata('modelMetadata') },
      '/health/ping': { get: { summary: 'Liveness of the HTTP server', operationId: 'ping', tags: ['Health and metrics'], responses: { 200: text('Always `pong`', 'pong') } } },
      '/health/status': {
        get: {
          summary: 'The model\'s health',
          operationId: 'healthStatus',
          tags: ['Health and metrics'],
          responses: { 200: { description: 'Healthy', content: json(ref('SeldonMessage'), { meta: {}, strData: 'healthy' }) }, 503: seldonError('The model reports that it is not healthy') },
        },
      },
      '/live': { get: { summary: 'Liveness probe', operationId: 'live', tags: ['Health and metrics'], responses: { 200: text('Alive', 'live') } } },
      '/ready': {
        get: { summary: 'Readiness probe', operationId: 'ready', tags: ['Health and metrics'], responses: { 200: text('Ready', 'ready'), 503: seldonError('Loading, unhealthy or shutting down') } },
      },
      '/prometheus': {
        get: { summary: 'Prometheus metrics', operationId: 'prometheus', tags: ['Health and metrics'], responses: { 200: text('Metrics in the Prometheus text format', 'seldon_api_executor_server_requests_seconds_count{...} 1') } },
      },
      '/v2': {
        get: { summary: 'Server metadata', operationId: 'v2Server', tags: ['Open Inference Protocol (V2)'], responses: { 200: { description: 'Name, version, extensions', content: json(ref('MetadataServerResponse')) } } },
      },
      '/v2/health/live': { get: { summary: 'Is the server live?', operationId: 'v2Live', tags: ['Open Inference Protocol (V2)'], responses: { 200: { description: 'Live (empty body)' } } } },
      '/v2/health/ready': {
        get: { summary: 'Is the server ready?', operationId: 'v2Ready', tags: ['Open Inference Protocol (V2)'], responses: { 200: { description: 'Ready (empty body)' }, 400: { description: 'Not ready (empty body)' } } },
      },
      '/v2/models/{model_name}': { get: v2Meta('v2ModelMetadata', modelPath) },
      '/v2/models/{model_name}/ready': { get: v2Ready('v2ModelReady', modelPath) },
      '/v2/models/{model_name}/infer': { post: v2Infer('v2Infer', modelPath) },
      '/v2/models/{model_name}/versions/{model_version}': { get: v2Meta('v2ModelVersionMetadata', versionPath) },
      '/v2/models/{model_name}/versions/{model_version}/ready': { get: v2Ready('v2ModelVersionReady', versionPath) },
      '/v2/models/{model_name}/versions/{model_version}/infer': { post: v2Infer('v2VersionInfer', versionPath) },
    },
    components: {
      parameters: {
        SeldonPuid: { name: 'Seldon-Puid', in: 'header', required: false, description: 'A request id; generated when absent and echoed in the answer', schema: { type: 'string' } },
      },
      headers: { SeldonPuid: { description: 'The request id (the one sent, or a generated uuid)', schema: { type: 'string' } } },
      schemas: {
        SeldonMessage: {
          type: 'object',
          description: 'One payload: `data`, `binData`, `strData` or `jsonData`; plus `meta`.',
          properties: {
            status: ref('Status'),
            meta: ref('Meta'),
            data: ref('DefaultData'),
            binData: { type: 'string', format: 'byte' },
            strData: { type: 'string' },
            jsonData: { description: 'Any JSON value' },
          },
        },
        DefaultData: {
          type: 'object',
          properties: {
            names: { type: 'array', items: { type: 'string' } },
            tensor: ref('Tensor'),
            ndarray: { type: 'array', items: {}, description: 'Nested lists, rows first' },
          },
        },
        Tensor: {
          type: 'object',
          properties: { shape: { type: 'array', items: { type: 'integer' } }, values: { type: 'array', items: { type: 'number' } } },
        },
        Meta: {
          type: 'object',
          properties: {
            puid: { type: 'string' },
            tags: { type: 'object', additionalProperties: {} },
            routing: { type: 'object', additionalProperties: { type: 'integer' } },
            requestPath: { type: 'object', additionalProperties: { type: 'string' } },
            metrics: { type: 'array', items: ref('Metric') },
          },
        },
        Metric: {
          type: 'object',
          required: ['key', 'value'],
          properties: {
            key: { type: 'string' },
            type: { type: 'string', enum: ['COUNTER', 'GAUGE', 'TIMER'] },
            value: { type: 'number' },
            tags: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
        Status: {
          type: 'object',
          properties: {
            code: { type: 'integer' },
            info: { type: 'string' },
            reason: { type: 'string' },
            status: { oneOf: [{ type: 'integer' }, { type: 'string', enum: ['SUCCESS', 'FAILURE'] }] },
          },
        },
        SeldonError: {
          type: 'object',
          required: ['status'],
          properties: { status: { allOf: [ref('Status')], required: ['code', 'info', 'reason', 'status'] } },
          example: seedError,
        },
        Feedback: {
          type: 'object',
          properties: { request: ref('SeldonMessage'), response: ref('SeldonMessage'), reward: { type: 'number' }, truth: ref('SeldonMessage') },
        },
        SeldonModelMetadata: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            versions: { type: 'array', items: { type: 'string' } },
            platform: { type: 'string' },
            inputs: { type: 'array', items: { type: 'object' } },
            outputs: { type: 'array', items: { type: 'object' } },
            custom: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
        InferenceRequest: {
          type: 'object',
          required: ['inputs'],
          properties: {
            id: { type: 'string' },
            parameters: { type: 'object' },
            inputs: { type: 'array', minItems: 1, items: ref('RequestInput') },
            outputs: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, parameters: { type: 'object' } } } },
          },
        },
        RequestInput: {
          type: 'object',
          required: ['name', 'shape', 'datatype', 'data'],
          properties: { name: { type: 'string' }, shape, datatype, parameters: { type: 'object' }, data: { type: 'array', items: {} } },
        },
        InferenceResponse: {
          type: 'object',
          required: ['model_name', 'outputs'],
          properties: {
            model_name: { type: 'string' },
            model_version: { type: 'string' },
            id: { type: 'string' },
            parameters: { type: 'object' },
            outputs: { type: 'array', items: ref('ResponseOutput') },
          },
        },
        ResponseOutput: {
          type: 'object',
          required: ['name', 'shape', 'datatype', 'data'],
          properties: { name: { type: 'string' }, shape, datatype, parameters: { type: 'object' }, data: { type: 'array', items: {} } },
        },
        MetadataTensor: { type: 'object', required: ['name', 'datatype', 'shape'], properties: { name: { type: 'string' }, datatype, shape: { type: 'array', items: { type: 'integer' } } } },
        MetadataModelResponse: {
          type: 'object',
          required: ['name', 'platform', 'inputs', 'outputs'],
          properties: {
            name: { type: 'string' },
            versions: { type: 'array', items: { type: 'string' } },
            platform: { type: 'string' },
            inputs: { type: 'array', items: ref('MetadataTensor') },
            outputs: { type: 'array', items: ref('MetadataTensor') },
          },
        },
        MetadataServerResponse: {
          type: 'object',
          required: ['name', 'version', 'extensions'],
          properties: { name: { type: 'string' }, version: { type: 'string' }, extensions: { type: 'array', items: { type: 'string' } } },
        },
        V2Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
      },
    },
  };
}
