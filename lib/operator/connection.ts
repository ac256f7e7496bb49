// SPDX-License-Identifier: Apache-2.0
// One kept-alive connection pool to the API server, instead of a new TLS connection per request.
//
// @kubernetes/client-node 1.x builds a new https.Agent for every API call (KubeConfig.createAgent),
// so every request pays a fresh TCP and TLS handshake on both sides: with a few thousand requests
// (200 SeldonDeployments being created) that was most of the operator's CPU, and much of the API
// server's. client-go keeps its connections open; so does the operator, through this wrapper.
//
// The wrapper is a view of the caller's KubeConfig (its prototype), with only `createAgent`
// replaced: the caller's object is not changed, and everything else (contexts, in-cluster tokens,
// exec plugins) is the caller's.
import { Agent as HttpAgent } from 'node:http';
import type { AgentOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

type AgentFactory = (cluster: unknown, options: AgentOptions) => HttpAgent;

/** `kc`, except that all requests made through it share kept-alive connections. */
export function withKeepAlive(kc: KubeConfig): KubeConfig {
  const view = Object.create(kc) as KubeConfig;
  const original = (kc as unknown as { createAgent: AgentFactory }).createAgent.bind(view);
  const agents = new Map<string, HttpAgent>();
  (view as unknown as { createAgent: AgentFactory }).createAgent = (cluster, options) => {
    const c = cluster as { server?: string; proxyUrl?: string } | null;
    // Agents differ only by what the kubeconfig says; the same cluster gets the same agent.
    const key = JSON.stringify([c?.server, c?.proxyUrl, options.servername, options.rejectUnauthorized, options.ca?.toString(), options.cert?.toString()]);
    let agent = agents.get(key);
    if (!agent) {
      agent = original(cluster, { ...options, keepAlive: true });
      agents.set(key, agent);
    }
    return agent;
  };
  return view;
}
