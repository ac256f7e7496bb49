// SPDX-License-Identifier: Apache-2.0
// How Emissary turns a pile of Mappings into an ordered route table, and how a request finds its
// route. Pure: no sockets, so every rule can be tested alone.
//
// 1. Group. Mappings with the same match (prefix, host, method, headers, precedence) form one
//    group: one route. This is what makes a canary work: a second Mapping with the same prefix
//    does not compete with the first, it shares its traffic.
// 2. Weigh, inside a group (Emissary's normalize_weights_in_mappings): Mappings with a `weight`
//    get that share; the Mappings without one split what is left equally. A group over 100 is an
//    error and is not served. A single Mapping gets everything whatever its weight says.
// 3. Shadow: `shadow: true` Mappings of a group get a copy of its requests (their answers are
//    thrown away); they take no share of the real traffic.
// 4. Order: routes are tried most specific first, by Emissary's route weight
//    [precedence, prefix length, header length, prefix, method], largest first. So
//    `/seldon/seldon/iris/` wins over `/seldon/` for `/seldon/seldon/iris/api/v1.0/predictions`,
//    whatever order the Mappings were created in.
import type { HeaderMatch, HostMatch, MappingRule } from './mapping.js';

/** One route: a group of Mappings sharing one match. */
export interface Route {
  key: string;
  /** the Mappings that take real traffic, each with its cumulative share (the last one ends at 100) */
  primaries: { rule: MappingRule; upTo: number }[];
  shadows: MappingRule[];
  /** what the route matches, from its first Mapping */
  match: MappingRule;
  weight: (number | string)[];
}

/** What a request looks like to the router. */
export interface RequestFacts {
  method: string;
  /** the path with its query, as in the request line */
  url: string;
  /** the Host header */
  host: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export interface RouteMatch {
  route: Route;
  rule: MappingRule;
  /** the path and query to send upstream, after `rewrite` */
  path: string;
}

function groupKey(rule: MappingRule): string {
  return JSON.stringify([
    rule.prefix, Boolean(rule.prefixRegex), rule.prefixExact, rule.caseSensitive, rule.host?.text ?? '*', rule.method ?? '*',
    rule.headers.map((h) => h.text), rule.precedence,
  ]);
}

/** Emissary's route weight: compared element by element, the larger route is tried first. */
function routeWeight(rule: MappingRule): (number | string)[] {
  let headerLength = 0;
  for (const h of rule.headers) headerLength += h.text.length;
  // Emissary 1.x turned `host` into an `:authority` header match, which counts the same way.
  if (rule.host) headerLength += ':authority'.length + rule.host.text.length;
  return [rule.precedence, rule.prefix.length, headerLength, rule.prefix, rule.method ?? 'GET'];
}

function compareWeights(a: (number | string)[], b: (number | string)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return y - x;
    return String(y) < String(x) ? -1 : 1;
  }
  return 0;
}

/**
 * Cumulative shares of a group's primaries (Emissary's normalize_weights_in_mappings), or an
 * error. Weighted Mappings come first; a group whose weights do not reach 100 and which has no
 * weightless Mapping is scaled up, as Envoy does with weights that do not add up to its total.
 */
export function normalizeWeights(rules: MappingRule[]): { shares: { rule: MappingRule; upTo: number }[] } | { error: string } {
  if (rules.length === 1) return { shares: [{ rule: rules[0], upTo: 100 }] };
  const weighted = rules.filter((r) => r.weight !== undefined);
  const weightless = rules.filter((r) => r.weight === undefined);
  let total = 0;
  const shares: { rule: MappingRule; upTo: number }[] = [];
  for (const rule of weighted) {
    total += Math.round(rule.weight ?? 0);
    shares.push({ rule, upTo: total });
  }
  if (total > 100) return { error: `the weights of the Mappings for the same route add up to ${total}, over 100: ${weighted.map((r) => `${r.id}=${r.weight}`).join(', ')}` };
  if (weightless.length > 0) {
    const each = Math.round((100 - total) / weightless.length);
    weightless.forEach((rule, i) => {
      total = i === weightless.length - 1 ? 100 : total + each;
      shares.push({ rule, upTo: total });
    });
  } else if (total > 0 && total < 100) {
    for (const share of shares) share.upTo = (share.upTo * 100) / total;
  }
  return { shares };
}

/** Builds the table; `problems` lists the groups that could not be served and why. */
export function buildRouteTable(rules: MappingRule[]): { routes: Route[]; problems: string[] } {
  const groups = new Map<string, MappingRule[]>();
  // A stable order inside a group, whatever order the watch delivered the Mappings in.
  for (const rule of [...rules].sort((a, b) => a.id.localeCompare(b.id))) {
    const key = groupKey(rule);
    const group = groups.get(key);
    if (group) group.push(rule);
    else groups.set(key, [rule]);
  }
  const routes: Route[] = [];
  const problems: string[] = [];
  for (const [key, members] of groups) {
    const primaries = members.filter((r) => !r.shadow);
    const shadows = members.filter((r) => r.shadow);
    if (primaries.length === 0) {
      problems.push(`${shadows.map((r) => r.id).join(', ')}: a shadow Mapping needs a Mapping with the same prefix to copy traffic from`);
      continue;
    }
    const normalized = normalizeWeights(primaries);
    if ('error' in normalized) {
      problems.push(normalized.error);
      continue;
    }
    routes.push({ key, primaries: normalized.shares, shadows, match: primaries[0], weight: routeWeight(primaries[0]) });
  }
  routes.sort((a, b) => compareWeights(a.weight, b.weight) || (a.key < b.key ? -1 : 1));
  return { routes, problems };
}

function headerValue(headers: RequestFacts['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function headersMatch(matches: HeaderMatch[], headers: RequestFacts['headers']): boolean {
  for (const m of matches) {
    const value = headerValue(headers, m.name);
    if (value === undefined) return false;
    if (m.exact !== undefined && value !== m.exact) return false;
    if (m.regex && !m.regex.test(value)) return false;
  }
  return true;
}

function hostMatches(match: HostMatch | undefined, host: string | undefined): boolean {
  if (!match) return true;
  if (!host) return false;
  let h = host.toLowerCase();
  // `Host: example.com:8003` matches `host: example.com`: a pattern without a port ignores it.
  const pattern = match.exact ?? match.glob ?? match.text;
  if (!pattern.includes(':')) h = h.replace(/:\d+$/, '');
  if (match.exact !== undefined) return h === match.exact;
  if (match.regex) return match.regex.test(h);
  const glob = match.glob ?? '';
  if (glob.startsWith('*')) return h.endsWith(glob.slice(1));
  return h === glob;
}

/** Where the path part of the request line ends. */
function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q) };
}

function pathMatches(rule: MappingRule, path: string): boolean {
  if (rule.prefixRegex) return rule.prefixRegex.test(path);
  if (rule.prefixExact) return rule.caseSensitive ? path === rule.prefix : path.toLowerCase() === rule.prefix.toLowerCase();
  return rule.caseSensitive ? path.startsWith(rule.prefix) : path.toLowerCase().startsWith(rule.prefix.toLowerCase());
}

/**
 * Envoy's prefix_rewrite: the matched prefix is swapped for `rewrite` (`/seldon/ns/name/api/...`
 * → `/api/...`); with a regex match the whole path is swapped; '' leaves the path alone.
 */
export function rewritePath(rule: MappingRule, url: string): string {
  if (rule.rewrite === '') return url;
  const { path, query } = splitUrl(url);
  const rest = rule.prefixRegex ? '' : path.slice(rule.prefix.length);
  return rule.rewrite + rest + query;
}

// #region match-route
/** The first route that matches, and which of its Mappings takes this request. */
export function matchRoute(routes: readonly Route[], req: RequestFacts, random: () => number = Math.random): RouteMatch | undefined {
  const { path } = splitUrl(req.url);
  for (const route of routes) {
    const m = route.match;
    if (m.method && m.method !== req.method) continue;
    if (!pathMatches(m, path)) continue;
    if (!hostMatches(m.host, req.host)) continue;
    if (!headersMatch(m.headers, req.headers)) continue;
    const roll = random() * 100;
    const chosen = route.primaries.find((p) => roll < p.upTo) ?? route.primaries[route.primaries.length - 1];
    return { route, rule: chosen.rule, path: rewritePath(chosen.rule, req.url) };
  }
  return undefined;
}
// #endregion match-route
