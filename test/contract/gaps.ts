// SPDX-License-Identifier: Apache-2.0
// Known differences between the sandbox and kube-apiserver, found by this suite and reported to
// the sandbox's owners (each with the exact request and answer). A test that shows one is
// declared with `itUnlessGap`: on a real cluster it is an ordinary test; on the sandbox it runs
// as an expected failure (`it.fails`) and the gap is printed. When the sandbox is fixed the test
// turns red ("Expect test to fail"): then delete the gap here and use `it` at the test.
import { it } from 'vitest';
import { LIVE } from './cluster.js';

export const SANDBOX_GAPS = {
  crdDiscoveryVerbOrder:
    'GET /apis/<crd group>/<version> lists a custom resource\'s verbs sorted (create, delete, ...); kube-apiserver lists them ' +
    'as ["delete","deletecollection","get","list","patch","create","update","watch"] (apiextensions discovery controller)',
} as const;

export type SandboxGap = keyof typeof SANDBOX_GAPS;

const printed = new Set<SandboxGap>();

/**
 * `it(name, fn)`, except on the sandbox while the named gap is open: then the test must fail,
 * and the gap is printed once.
 */
export function itUnlessGap(gap: SandboxGap, name: string, fn: () => Promise<void>, timeout?: number): void {
  if (LIVE) {
    it(name, fn, timeout);
    return;
  }
  if (!printed.has(gap)) {
    printed.add(gap);
    console.log(`known sandbox gap (${gap}), expected to fail until fixed: ${SANDBOX_GAPS[gap]}`);
  }
  it.fails(`${name} [sandbox gap: ${gap}]`, fn, timeout);
}
