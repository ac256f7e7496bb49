// SPDX-License-Identifier: Apache-2.0
// cluster/seed keeps the seed tutorial's install commands as they were. These checks keep the
// script and the README saying the same thing, in both languages, and keep the versions right.
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../lib/paths.js';

const script = readFileSync(fromRoot('cluster', 'seed', 'install-seldon-1.11.sh'), 'utf8');
const readme = readFileSync(fromRoot('cluster', 'seed', 'README.md'), 'utf8');
const [english, korean] = readme.split('## 한국어');

describe('the seed\'s install commands', () => {
  it('install the seed\'s chart versions with the seed\'s flags', () => {
    for (const text of [script, english, korean]) {
      expect(text).toContain('helm repo add datawire https://www.getambassador.io');
      expect(text).toMatch(/helm install ambassador datawire\/ambassador/);
      for (const flag of ['--set image.repository=quay.io/datawire/ambassador', '--set enableAES=false', '--set crds.keep=false',
        '--repo https://storage.googleapis.com/seldon-charts', '--set usageMetrics.enabled=true', '--set ambassador.enabled=true']) {
        expect(text, flag).toContain(flag);
      }
    }
    expect(script).toContain('--version 6.9.1');
    expect(script).toContain('--version 1.11.0');
  });

  it('start a Kubernetes the charts install on (1.21 or older), on a profile of their own', () => {
    const version = /KUBERNETES_VERSION=v1\.(\d+)\.\d+/.exec(script);
    expect(Number(version![1])).toBeLessThanOrEqual(21);
    expect(script).toContain('--kubernetes-version="$KUBERNETES_VERSION"');
    expect(script).toContain('PROFILE=seldon-seed');
    for (const text of [english, korean]) expect(text).toContain('--kubernetes-version=v1.21.14');
  });

  it('explain in both languages which removed APIs break them', () => {
    for (const text of [english, korean]) {
      for (const api of ['admissionregistration.k8s.io/v1beta1', 'rbac.authorization.k8s.io/v1beta1', 'apiextensions.k8s.io/v1beta1', '#3667', '1.12.0']) {
        expect(text, api).toContain(api);
      }
    }
    expect(english).toContain('Kubernetes 1.21 or\nolder');
    expect(korean).toContain('Kubernetes 1.21 이하');
  });

  it('is a bash script that parses', async () => {
    const r = await execa('bash', ['-n', fromRoot('cluster', 'seed', 'install-seldon-1.11.sh')], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(script.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(script).toContain('set -euo pipefail');
  });
});
