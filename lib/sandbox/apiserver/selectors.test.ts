// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { labelSelectorFromSpec, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError } from './status.js';

const labels = { app: 'web', tier: 'front', version: '3' };

describe('label selectors', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['app in (web,api)', true],
    ['app notin (web)', false],
    ['missing notin (web)', true],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['version>2', true],
    ['version<3', false],
    ['app=web,tier=back', false],
    [' app = web , tier in ( front ) ', true],
    ['example.com/team', false],
  ])('%j matches %s', (selector, expected) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(expected);
  });

  it.each(['a b', 'app=', 'app in ()', 'bad key!=x', 'app=Not Valid', '-app=x', 'version>two', 'app,', '=x'])(
    'answers %j with 400 or accepts it exactly as Kubernetes does',
    (selector) => {
      // `app=` is valid (empty value); every other one is refused.
      if (selector === 'app=') {
        expect(parseLabelSelector(selector).matches({ app: '' })).toBe(true);
        return;
      }
      expect(() => parseLabelSelector(selector)).toThrow(ApiError);
      try {
        parseLabelSelector(selector);
      } catch (e) {
        expect((e as ApiError).code).toBe(400);
      }
    },
  );

  it('turns a structured selector into the string form kubectl shows', () => {
    const s = labelSelectorFromSpec({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] });
    expect(s.toString()).toBe('app=web,tier in (a,b)');
    expect(s.matches({ app: 'web', tier: 'a' })).toBe(true);
  });
});

describe('field selectors', () => {
  const supported = ['metadata.name', 'metadata.namespace', 'status.phase'];

  it('matches =, == and != on the supported fields', () => {
    const fields = { 'metadata.name': 'p', 'metadata.namespace': 'ns', 'status.phase': 'Running' };
    expect(parseFieldSelector('metadata.name=p,status.phase!=Failed', supported).matches(fields)).toBe(true);
    expect(parseFieldSelector('status.phase==Pending', supported).matches(fields)).toBe(false);
    expect(parseFieldSelector('metadata.name=a\\,b', supported).requirements[0].value).toBe('a,b');
  });

  it('refuses unsupported fields and malformed terms with 400', () => {
    expect(() => parseFieldSelector('spec.nodeName=x', supported)).toThrow('field label not supported: spec.nodeName');
    expect(() => parseFieldSelector('metadata.name', supported)).toThrow(/invalid field selector/);
  });
});
