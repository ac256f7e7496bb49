// SPDX-License-Identifier: Apache-2.0
// lib/sandbox/gateway: the sandbox's Ambassador. It routes HTTP on 127.0.0.1:8003 by Emissary
// Mappings (getambassador.io/v3alpha1 and v2) and Seldon 1.11's `getambassador.io/config`
// Service annotations, with Envoy's answers when something is wrong (404, 503, 504).
//
//   const gateway = await startGateway(sandbox.api, { services: network.table });
//   console.log(`Ambassador gateway on ${gateway.url}`);
export { Gateway, startGateway, DEFAULT_INGRESS_PORT, MAPPINGS, type GatewayOptions } from './gateway.js';
export { parseMapping, parseUpstream, ambassadorIds, DEFAULT_TIMEOUT_MS, DEFAULT_AMBASSADOR_ID, type MappingRule, type Upstream, type HeaderMatch, type HostMatch, type ParseResult } from './mapping.js';
export { parseConfigAnnotation, CONFIG_ANNOTATION, type AnnotationMapping } from './annotations.js';
export { buildRouteTable, matchRoute, normalizeWeights, rewritePath, type Route, type RouteMatch, type RequestFacts } from './route-table.js';
export { Forwarder, envoyAnswer, upstreamFailureBody, NO_HEALTHY_UPSTREAM, UPSTREAM_TIMEOUT, UPSTREAM_PROTOCOL_ERROR, type ProxyHooks, type Target } from './forward.js';
export { BodyScanner, HttpParseError, readHead, requestFraming, responseFraming, type Framing, type MessageHead } from './http1.js';
export { installEmissaryCrds, emissaryCrds } from './crds.js';
