// SPDX-License-Identifier: Apache-2.0
// The ingress files cluster:up applies: a Listener on the port the emissary-ingress Service sends
// to, a Host that lets the operator's Mappings (hostname "*") through over plain HTTP, and values
// small enough for a two-CPU minikube. Checked against Emissary's CRD schemas as the kit keeps
// them (cluster/emissary/crds.yaml, which the sandbox serves).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { crdVersionSchema, validateCustomResource, type CustomResourceDefinition } from '../../lib/kube/index.js';
import { fromRoot } from '../../lib/paths.js';
import { EMISSARY } from '../scripts/pins.js';

const docs = parseAllDocuments(readFileSync(fromRoot('cluster', 'ingress', 'listener-host.yaml'), 'utf8')).map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> });
const listener = docs.find((d) => d.kind === 'Listener')!;
const host = docs.find((d) => d.kind === 'Host')!;
const crds = parseAllDocuments(readFileSync(fromRoot('cluster', 'emissary', 'crds.yaml'), 'utf8')).map((d) => d.toJS() as CustomResourceDefinition).filter(Boolean);

describe('listener-host.yaml', () => {
  it('holds one Listener and one Host, in Emissary\'s namespace, as v3alpha1', () => {
    expect(docs.map((d) => d.kind).sort()).toEqual(['Host', 'Listener']);
    for (const d of docs) {
      expect(d.apiVersion).toBe('getambassador.io/v3alpha1');
      expect(d.metadata.namespace).toBe(EMISSARY.namespace);
    }
  });

  it('listens on 8080, where the emissary-ingress Service\'s port 80 sends, for Hosts in every namespace', () => {
    expect(listener.spec).toMatchObject({ port: 8080, protocol: 'HTTP', securityModel: 'XFP', hostBinding: { namespace: { from: 'ALL' } } });
    expect(EMISSARY.servicePort).toBe(80);
  });

  it('routes plain HTTP for the host name the operator\'s Mappings use', () => {
    const operatorConfig = parse(readFileSync(fromRoot('cluster', 'operator-config.yaml'), 'utf8')) as { ambassador: { hostname: string } };
    const chartValues = parse(readFileSync(fromRoot('cluster', 'charts', 'seldon-lab-operator', 'values.yaml'), 'utf8')) as { config: { ambassador: { hostname: string } } };
    expect(host.spec.hostname).toBe(operatorConfig.ambassador.hostname);
    expect(host.spec.hostname).toBe(chartValues.config.ambassador.hostname);
    expect(host.spec.requestPolicy).toEqual({ insecure: { action: 'Route' } });
  });

  it.each(['Listener', 'Host'])('%s is valid against its CRD, with no field the schema drops', (kind) => {
    const doc = docs.find((d) => d.kind === kind)!;
    const crd = crds.find((c) => c.spec.names.kind === kind);
    expect(crd, `cluster/emissary/crds.yaml has no ${kind}`).toBeDefined();
    const result = validateCustomResource(crdVersionSchema(crd!, 'v3alpha1'), doc);
    expect(result.causes).toEqual([]);
    expect(result.unknownFields).toEqual([]);
  });
});

describe('emissary-values.yaml', () => {
  const values = parse(readFileSync(fromRoot('cluster', 'ingress', 'emissary-values.yaml'), 'utf8')) as Record<string, unknown> & {
    replicaCount: number; service: { type: string }; resources: { requests: { cpu: string; memory: string } }; createDefaultListeners: boolean;
  };

  it('runs one small Envoy behind a LoadBalancer Service, with our Listener only', () => {
    expect(values.replicaCount).toBe(1);
    expect(values.service.type).toBe('LoadBalancer');
    expect(values.resources.requests).toEqual({ cpu: '100m', memory: '200Mi' });
    expect(values.createDefaultListeners).toBe(false);
  });
});
