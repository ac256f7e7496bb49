// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseDownArgs, parseStatusArgs, parseUpArgs, UsageError } from './args.js';

describe('parseUpArgs', () => {
  it('defaults to the kit\'s profile, 2 CPUs, 4g and Emissary v3alpha1 Mappings', () => {
    expect(parseUpArgs([])).toEqual({
      profile: 'seldon-lab', cpus: 2, memory: '4g', kubernetesVersion: undefined, driver: undefined,
      ingress: 'ambassador-v3alpha1', skipBuild: false, timeoutMs: 300_000, help: false,
    });
  });

  it('reads every option', () => {
    expect(parseUpArgs(['--profile', 'class-a', '--cpus', '4', '--memory', '8192m', '--kubernetes-version', '1.31.2', '--driver', 'podman', '--ingress', 'none', '--skip-build', '--timeout', '10', '-h'])).toEqual({
      profile: 'class-a', cpus: 4, memory: '8192m', kubernetesVersion: 'v1.31.2', driver: 'podman', ingress: 'none', skipBuild: true, timeoutMs: 600_000, help: true,
    });
  });

  it.each([
    [['--cpus', '1'], /--cpus must be a whole number, at least 2/],
    [['--cpus', 'two'], /--cpus/],
    [['--memory', 'lots'], /--memory must look like 4g/],
    [['--ingress', 'nginx'], /--ingress must be one of ambassador-v3alpha1, ambassador-v2, none/],
    [['--kubernetes-version', 'latest'], /--kubernetes-version must look like v1\.31\.2/],
    [['--timeout', '0'], /--timeout must be a number of minutes/],
    [['--profile', 'My Profile'], /--profile must be lower-case/],
    [['--cpu', '2'], /Unknown option '--cpu'/],
  ])('refuses %j with a message that says what works', (argv, message) => {
    expect(() => parseUpArgs(argv)).toThrow(message);
    try {
      parseUpArgs(argv);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).usage).toContain('usage: npm run cluster:up');
    }
  });

  it('sends people who want the seed\'s old Kubernetes to cluster/seed/', () => {
    expect(() => parseUpArgs(['--kubernetes-version', 'v1.21.14'])).toThrow(/needs 1\.25 or newer.*cluster\/seed\/README\.md/s);
  });
});

describe('parseStatusArgs and parseDownArgs', () => {
  it('read the profile and the down modes', () => {
    expect(parseStatusArgs([])).toEqual({ profile: 'seldon-lab', help: false });
    expect(parseDownArgs(['--profile', 'x'])).toEqual({ profile: 'x', delete: false, uninstall: false, help: false });
    expect(parseDownArgs(['--delete'])).toMatchObject({ delete: true, uninstall: false });
    expect(parseDownArgs(['--uninstall'])).toMatchObject({ delete: false, uninstall: true });
  });

  it('refuses --delete with --uninstall', () => {
    expect(() => parseDownArgs(['--delete', '--uninstall'])).toThrow(/cannot go together/);
  });
});
