// SPDX-License-Identifier: Apache-2.0
// Where a Service can really be reached in the sandbox, and how its DNS names are read.
//
// On a cluster, a Service's ClusterIP (10.96.x.y) is a virtual address: no interface has it, and
// kube-proxy rewrites packets sent to it (iptables DNAT) so they reach a ready pod. The sandbox
// has no packet filter to program, so it does the next best thing: every ClusterIP Service also
// gets a real loopback address that a user-space proxy listens on. The mapping is a pure
// function, so every process on the machine (the sandbox, the kubelet's environment code, a
// notebook kernel holding only a kubeconfig) computes the same answer without asking anyone:
//
//   ClusterIP 10.96.12.34   →   127.96.12.34       (the first octet becomes 127; Linux routes all
//                                                   of 127.0.0.0/8 to the loopback interface)
//   port 8000               →   8000
//   port 80                 →   10080              (ports below 1024 need privileges to listen on,
//                                                   so the sandbox adds 10000 to them)
//
// That is what a pod's `<SVC>_SERVICE_HOST` / `<SVC>_SERVICE_PORT` variables hold in the sandbox,
// and what `resolveServiceHost()` answers for `<svc>.<ns>.svc.cluster.local`.

/** Ports below this need root (or CAP_NET_BIND_SERVICE) to listen on, on Linux by default. */
export const FIRST_UNPRIVILEGED_PORT = 1024;
/** What the sandbox adds to a privileged Service port: 80 → 10080, 443 → 10443. */
export const PRIVILEGED_PORT_OFFSET = 10_000;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function octets(ip: string): number[] | undefined {
  const match = IPV4.exec(ip);
  if (!match) return undefined;
  const parts = match.slice(1).map(Number);
  return parts.every((n) => n <= 255) ? parts : undefined;
}

/** True for an IPv4 address written as four decimal numbers. */
export function isIPv4(text: string): boolean {
  return octets(text) !== undefined;
}

/**
 * The loopback address that stands for a ClusterIP: `10.96.12.34` → `127.96.12.34`.
 * Throws for anything that is not an IPv4 ClusterIP (`None`, an empty string, IPv6).
 */
export function serviceLoopbackAddress(clusterIP: string): string {
  const parts = octets(clusterIP);
  if (!parts) throw new Error(`"${clusterIP}" is not an IPv4 ClusterIP: only ClusterIP Services (not headless ones) get a loopback address`);
  const address = `127.${parts[1]}.${parts[2]}.${parts[3]}`;
  // 127.0.0.1 is this machine's own address; a Service range that maps onto it would shadow it.
  if (address === '127.0.0.1' || address === '127.0.0.0' || address === '127.255.255.255') {
    throw new Error(`ClusterIP ${clusterIP} maps to ${address}, which the sandbox cannot use: choose a Service range such as 10.96.0.0/16`);
  }
  return address;
}

/** The port a Service port is served on in the sandbox: itself, or +10000 below 1024. */
export function serviceLoopbackPort(port: number): number {
  return port < FIRST_UNPRIVILEGED_PORT ? port + PRIVILEGED_PORT_OFFSET : port;
}

/** A Service named by DNS. */
export interface ServiceName {
  name: string;
  namespace: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Reads a Service's DNS name the way a pod's resolver would, with `search` domains
 * `<ns>.svc.cluster.local svc.cluster.local cluster.local`:
 *
 *   iris-default                               → iris-default in `defaultNamespace`
 *   iris-default.seldon                        → iris-default in seldon
 *   iris-default.seldon.svc                    → the same
 *   iris-default.seldon.svc.cluster.local(.)   → the same
 *
 * Anything else (an IP address, `localhost`, `example.com`) is not a Service name: undefined.
 */
export function parseServiceHost(host: string, defaultNamespace?: string): ServiceName | undefined {
  let name = host.trim().toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (isIPv4(name) || name === 'localhost') return undefined;
  for (const suffix of ['.svc.cluster.local', '.svc']) {
    if (name.endsWith(suffix)) {
      name = name.slice(0, -suffix.length);
      break;
    }
  }
  const labels = name.split('.');
  if (!labels.every((label) => DNS_LABEL.test(label))) return undefined;
  if (labels.length === 1) return defaultNamespace ? { name: labels[0], namespace: defaultNamespace } : undefined;
  if (labels.length === 2) return { name: labels[0], namespace: labels[1] };
  return undefined;
}
