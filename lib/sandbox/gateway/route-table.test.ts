// SPDX-License-Identifier: Apache-2.0
// Emissary's routing rules, without sockets: parsing Mappings and annotations, grouping and
// weights, precedence, matching by prefix / regex / headers / host / method, and rewrites.
import { describe, expect, it } from 'vitest';
import { parseConfigAnnotation } from './annotations.js';
import { parseMapping, parseUpstream, type MappingRule } from './mapping.js';
import { buildRouteTable, matchRoute, normalizeWeights, type RequestFacts } from './route-table.js';

function rule(name: string, spec: Record<string, unknown>, namespace = 'seldon'): MappingRule {
  const parsed = parseMapping(spec, { id: `Mapping ${namespace}/${name}`, namespace, name });
  if (!('rule' in parsed)) throw new Error(JSON.stringify(parsed));
  return parsed.rule;
}

const get = (url: string, extra: Partial<RequestFacts> = {}): RequestFacts => ({ method: 'GET', url, host: '127.0.0.1:8003', headers: {}, ...extra });

describe('parseMapping', () => {
  it('applies Emissary defaults: rewrite "/", timeout 3000 ms, case-sensitive', () => {
    const r = rule('a', { prefix: '/a/', service: 'svc:8000' });
    expect(r).toMatchObject({ rewrite: '/', timeoutMs: 3000, caseSensitive: true, shadow: false, precedence: 0 });
    expect(r.upstream).toEqual({ scheme: 'http', host: 'svc', port: 8000, text: 'svc:8000', service: { name: 'svc', namespace: 'seldon' } });
  });

  it('reads service as name.namespace:port, name:port, http://... and IP addresses', () => {
    expect(parseUpstream('iris-default.seldon:8000', 'x').service).toEqual({ name: 'iris-default', namespace: 'seldon' });
    expect(parseUpstream('http://iris.other', 'x')).toMatchObject({ port: 80, service: { name: 'iris', namespace: 'other' } });
    expect(parseUpstream('https://iris', 'x')).toMatchObject({ scheme: 'https', port: 443, service: { name: 'iris', namespace: 'x' } });
    expect(parseUpstream('127.0.0.1:9000', 'x')).toEqual({ scheme: 'http', host: '127.0.0.1', port: 9000, text: '127.0.0.1:9000' });
    expect(parseUpstream('iris.seldon.svc.cluster.local:8000', 'x').service).toEqual({ name: 'iris', namespace: 'seldon' });
    expect(() => parseUpstream('ftp://x', 'x')).toThrow(/only http/);
  });

  it('turns a bad regex or a bad weight into an error naming the Mapping and the field', () => {
    expect(parseMapping({ prefix: '/(', prefix_regex: true, service: 's' }, { id: 'Mapping n/bad', namespace: 'n', name: 'bad' })).toEqual({
      error: expect.stringMatching(/^Mapping n\/bad: prefix "\/\(" is not a valid regular expression/),
    });
    expect(parseMapping({ prefix: '/', service: 's', weight: 101 }, { id: 'M', namespace: 'n', name: 'm' })).toEqual({ error: 'M: weight 101 is over 100' });
  });

  it('skips gRPC Mappings and Mappings for another ambassador_id', () => {
    expect(parseMapping({ prefix: '/', service: 's', grpc: true }, { id: 'M', namespace: 'n', name: 'm' })).toHaveProperty('skip');
    expect(parseMapping({ prefix: '/', service: 's', ambassador_id: ['other'] }, { id: 'M', namespace: 'n', name: 'm' })).toHaveProperty('skip');
    expect(parseMapping({ prefix: '/', service: 's', ambassador_id: 'default' }, { id: 'M', namespace: 'n', name: 'm' })).toHaveProperty('rule');
  });
});

describe('getambassador.io/config annotations', () => {
  it('reads Seldon 1.11 documents and skips other kinds', () => {
    const text = [
      '---',
      'apiVersion: ambassador/v1',
      'kind: Mapping',
      'name: seldon_seldon_iris_default_rest_mapping',
      'prefix: /seldon/seldon/iris/',
      'rewrite: /',
      'service: iris-default.seldon:8000',
      'timeout_ms: 3000',
      '---',
      'apiVersion: ambassador/v1',
      'kind: Module',
      'name: ambassador',
      '---',
      'apiVersion: ambassador/v1',
      'kind: Mapping',
      'prefix: /nameless/',
      'service: x',
    ].join('\n');
    const parsed = parseConfigAnnotation(text, { namespace: 'seldon', name: 'iris-default' });
    expect(parsed.mappings).toEqual([
      expect.objectContaining({ name: 'seldon_seldon_iris_default_rest_mapping', namespace: 'seldon', spec: expect.objectContaining({ prefix: '/seldon/seldon/iris/' }) }),
    ]);
    expect(parsed.problems).toEqual([expect.stringMatching(/document 3: a Mapping needs a name/)]);
  });

  it('reports YAML that does not parse', () => {
    expect(parseConfigAnnotation('prefix: [unclosed', { namespace: 'a', name: 'b' }).problems[0]).toMatch(/not YAML/);
  });
});

describe('weights (Emissary normalize_weights_in_mappings)', () => {
  it('gives a single Mapping everything, whatever its weight', () => {
    const only = rule('a', { prefix: '/', service: 'a', weight: 10 });
    expect(normalizeWeights([only])).toEqual({ shares: [{ rule: only, upTo: 100 }] });
  });

  it('gives weightless Mappings the remainder, equally', () => {
    const canary = rule('canary', { prefix: '/', service: 'c', weight: 20 });
    const a = rule('a', { prefix: '/', service: 'a' });
    const b = rule('b', { prefix: '/', service: 'b' });
    const result = normalizeWeights([a, canary, b]);
    expect(result).toEqual({ shares: [{ rule: canary, upTo: 20 }, { rule: a, upTo: 60 }, { rule: b, upTo: 100 }] });
  });

  it('refuses a group whose weights exceed 100, and scales weights that fall short', () => {
    const x = rule('x', { prefix: '/', service: 'x', weight: 60 });
    const y = rule('y', { prefix: '/', service: 'y', weight: 50 });
    expect(normalizeWeights([x, y])).toHaveProperty('error');
    const z = rule('z', { prefix: '/', service: 'z', weight: 10 });
    const w = rule('w', { prefix: '/', service: 'w', weight: 30 });
    expect(normalizeWeights([z, w])).toEqual({ shares: [{ rule: z, upTo: 25 }, { rule: w, upTo: 100 }] });
  });
});

describe('matching', () => {
  const table = buildRouteTable([
    rule('root', { prefix: '/seldon/', service: 'root:80' }),
    rule('iris', { prefix: '/seldon/seldon/iris/', service: 'iris-default:8000' }),
    rule('grpcish', { prefix: '/v2/.*/infer', prefix_regex: true, rewrite: '', service: 'v2:9000' }),
    rule('hdr', { prefix: '/seldon/seldon/iris/', service: 'iris-header:8000', headers: { 'x-canary': 'yes' } }),
    rule('present', { prefix: '/p/', service: 'p:1', headers: { 'x-any': true } }),
    rule('rx', { prefix: '/r/', service: 'r:1', regex_headers: { 'x-user': 'a.*' } }),
    rule('host', { prefix: '/h/', service: 'h:1', host: 'example.com' }),
    rule('glob', { prefix: '/g/', service: 'g:1', hostname: '*.example.com' }),
    rule('post', { prefix: '/m/', service: 'm:1', method: 'POST' }),
    rule('keep', { prefix: '/keep/', service: 'k:1', rewrite: '' }),
    rule('exact', { prefix: '/exact', prefix_exact: true, service: 'e:1' }),
  ]);

  it('orders routes most specific first, whatever the creation order', () => {
    const names = table.routes.map((r) => r.match.name);
    expect(names.indexOf('hdr')).toBeLessThan(names.indexOf('iris'));
    expect(names.indexOf('iris')).toBeLessThan(names.indexOf('root'));
    expect(table.problems).toEqual([]);
  });

  it('picks the longest prefix and rewrites it to "/" keeping the query', () => {
    const m = matchRoute(table.routes, get('/seldon/seldon/iris/api/v1.0/predictions?x=1'));
    expect(m?.rule.name).toBe('iris');
    expect(m?.path).toBe('/api/v1.0/predictions?x=1');
    expect(matchRoute(table.routes, get('/seldon/other/x'))?.path).toBe('/other/x');
  });

  it('does not match a path without the trailing slash of the prefix, nor other cases', () => {
    expect(matchRoute(table.routes, get('/seldon/seldon/iris'))?.rule.name).toBe('root');
    expect(matchRoute(table.routes, get('/SELDON/x'))).toBeUndefined();
    expect(matchRoute(table.routes, get('/nothing'))).toBeUndefined();
  });

  it('matches regex prefixes against the whole path, and rewrite "" keeps the path', () => {
    expect(matchRoute(table.routes, get('/v2/models/iris/infer'))).toMatchObject({ path: '/v2/models/iris/infer', rule: { name: 'grpcish' } });
    expect(matchRoute(table.routes, get('/v2/models/iris/infer/more'))).toBeUndefined();
    expect(matchRoute(table.routes, get('/keep/a?b'))?.path).toBe('/keep/a?b');
  });

  it('matches exact, present and regex headers', () => {
    expect(matchRoute(table.routes, get('/seldon/seldon/iris/x', { headers: { 'x-canary': 'yes' } }))?.rule.name).toBe('hdr');
    expect(matchRoute(table.routes, get('/seldon/seldon/iris/x', { headers: { 'x-canary': 'no' } }))?.rule.name).toBe('iris');
    expect(matchRoute(table.routes, get('/p/', { headers: { 'x-any': '' } }))?.rule.name).toBe('present');
    expect(matchRoute(table.routes, get('/p/'))).toBeUndefined();
    expect(matchRoute(table.routes, get('/r/', { headers: { 'x-user': 'alice' } }))?.rule.name).toBe('rx');
    expect(matchRoute(table.routes, get('/r/', { headers: { 'x-user': 'bob' } }))).toBeUndefined();
  });

  it('matches host (ignoring the port) and hostname globs, and methods', () => {
    expect(matchRoute(table.routes, get('/h/', { host: 'example.com:8003' }))?.rule.name).toBe('host');
    expect(matchRoute(table.routes, get('/h/', { host: 'other.com' }))).toBeUndefined();
    expect(matchRoute(table.routes, get('/g/', { host: 'a.example.com' }))?.rule.name).toBe('glob');
    expect(matchRoute(table.routes, get('/g/', { host: 'example.org' }))).toBeUndefined();
    expect(matchRoute(table.routes, get('/m/', { method: 'POST' }))?.rule.name).toBe('post');
    expect(matchRoute(table.routes, get('/m/'))).toBeUndefined();
    expect(matchRoute(table.routes, get('/exact'))?.rule.name).toBe('exact');
    expect(matchRoute(table.routes, get('/exact/more'))).toBeUndefined();
  });

  it('splits a canary group by weight, and sends shadows nothing of the real traffic', () => {
    const canary = buildRouteTable([
      rule('main', { prefix: '/c/', service: 'main:1' }),
      rule('canary', { prefix: '/c/', service: 'canary:1', weight: 25 }),
      rule('mirror', { prefix: '/c/', service: 'mirror:1', shadow: true }),
    ]);
    expect(canary.routes).toHaveLength(1);
    expect(canary.routes[0].shadows.map((r) => r.name)).toEqual(['mirror']);
    // The router rolls a number in [0, 100): below 25 is the canary's share.
    expect(matchRoute(canary.routes, get('/c/'), () => 0.2499)?.rule.name).toBe('canary');
    expect(matchRoute(canary.routes, get('/c/'), () => 0.25)?.rule.name).toBe('main');
    expect(matchRoute(canary.routes, get('/c/'), () => 0.9999)?.rule.name).toBe('main');
  });

  it('reports a shadow without a primary and weights over 100', () => {
    const bad = buildRouteTable([
      rule('lonely', { prefix: '/s/', service: 's:1', shadow: true }),
      rule('a', { prefix: '/w/', service: 'a:1', weight: 70 }),
      rule('b', { prefix: '/w/', service: 'b:1', weight: 40 }),
    ]);
    expect(bad.routes).toEqual([]);
    expect(bad.problems).toHaveLength(2);
    expect(bad.problems).toEqual(expect.arrayContaining([expect.stringMatching(/lonely: a shadow Mapping needs/), expect.stringMatching(/add up to 110/)]));
  });
});
