// SPDX-License-Identifier: Apache-2.0
// The real kubectl against the cluster under test, with the commands the seed tutorial and the
// lessons use: `apply -f` (a Deployment, the SeldonDeployment CRD, the seed's sample.yaml),
// `wait --for=condition=established`, `get` (tables, printer columns, `-o yaml`), `describe`,
// `scale` (a Deployment and a custom resource), `rollout status`, a refused manifest, `delete`.
//
// It runs once with each kubectl it finds (see kubectls() below): the one on PATH or named by
// KUBECTL, `.tools/kubectl`, and Debian's 1.20 from `kubernetes-client`. It is skipped, with the
// reason printed, when there is no kubectl. Only flags that kubectl 1.20 has are used.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiextensionsV1Api } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlsToTest } from '../../cluster/scripts/tools.js';
import { fromRoot } from '../../lib/paths.js';
import { startContractCluster, type ContractCluster } from './cluster.js';
import { eventually } from './support.js';

const run = promisify(execFile);
const CRD_NAME = 'seldondeployments.machinelearning.seldon.io';
const CRD_FILE = fromRoot('cluster', 'charts', 'seldon-lab-operator', 'crds', `${CRD_NAME}.yaml`);
const SAMPLES = fromRoot('cluster', 'samples');

/** Every kubectl there is to test with (see kubectlsToTest). */
function kubectls(): { bin: string; version: string }[] {
  const found = kubectlsToTest();
  if (found.length === 0) console.log('kubectl.test.ts: skipped, no kubectl runs here (install kubectl, or Debian\'s kubernetes-client, or set KUBECTL to a kubectl binary)');
  return found.map((k) => ({ bin: k.path, version: k.version }));
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe.each(kubectls())('kubectl $version against the cluster under test', ({ bin: KUBECTL, version }) => {
  let cluster: ContractCluster;
  let dir: string;
  /** the namespace sample.yaml lands in: `seldon` as written, on the sandbox; the test's own on a live cluster */
  let sampleNs: string;
  let sampleFile: string;
  /**
   * kubectl before 1.24 checks every manifest itself against the server's /openapi/v2 document
   * before it sends it ("client-side validation"); newer ones leave that to the server.
   */
  const clientSideValidation = Number(/^v1\.(\d+)/.exec(version)?.[1] ?? 99) < 24;

  /** Runs kubectl and returns what it printed, whatever its exit code. */
  const kubectl = async (...args: string[]): Promise<Result> => {
    try {
      // A private discovery cache, so no other cluster's cached API list is reused.
      const { stdout, stderr } = await run(KUBECTL, ['--cache-dir', join(dir, 'cache'), ...args], {
        cwd: SAMPLES,
        env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(error) };
    }
  };
  /** Runs kubectl and expects it to succeed. */
  const ok = async (...args: string[]): Promise<string> => {
    const result = await kubectl(...args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${result.code}):\n${result.stderr}${result.stdout}`);
    return result.stdout;
  };
  /** A table's rows as arrays of cells (kubectl pads columns with spaces; an empty cell just vanishes). */
  const table = (text: string): string[][] => text.trim().split('\n').map((line) => line.trim().split(/\s+/));

  beforeAll(async () => {
    cluster = await startContractCluster('kubectl');
    dir = mkdtempSync(join(tmpdir(), 'contract-kubectl-'));
    if (cluster.live) {
      // sample.yaml names the namespace `seldon`; on someone's cluster, use a copy in our own namespace.
      sampleNs = cluster.namespace;
      sampleFile = join(dir, 'sample.yaml');
      writeFileSync(sampleFile, readFileSync(join(SAMPLES, 'sample.yaml'), 'utf8').replace(/namespace: seldon\b/, `namespace: ${sampleNs}`));
    } else {
      sampleNs = 'seldon';
      sampleFile = 'sample.yaml';
    }
  });
  afterAll(async () => {
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('applies a Deployment, waits for its rollout, and shows it as a table', async () => {
    const manifest = join(dir, 'web.yaml');
    writeFileSync(manifest, [
      'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: web, namespace: ${cluster.namespace}, labels: {app: web}}`, 'spec:', '  replicas: 1',
      '  selector: {matchLabels: {app: web}}', '  template:', '    metadata: {labels: {app: web}}', '    spec:',
      '      containers: [{name: web, image: "busybox:1.36", command: [sleep, "3600"]}]', '',
    ].join('\n'));
    expect(await ok('apply', '-f', manifest)).toBe('deployment.apps/web created\n');
    expect(await ok('apply', '-f', manifest)).toBe('deployment.apps/web unchanged\n');
    expect(await ok('rollout', 'status', 'deployment/web', '-n', cluster.namespace, '--timeout=60s')).toContain('deployment "web" successfully rolled out');

    const rows = table(await ok('get', 'deployment', 'web', '-n', cluster.namespace));
    expect(rows[0]).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(rows[1].slice(0, 4)).toEqual(['web', '1/1', '1', '1']);
  });

  it('describes a Deployment', async () => {
    const text = await ok('describe', 'deployment', 'web', '-n', cluster.namespace);
    expect(text).toMatch(/^Name:\s+web$/m);
    expect(text).toMatch(new RegExp(`^Namespace:\\s+${cluster.namespace}$`, 'm'));
    expect(text).toMatch(/^Replicas:\s+1 desired \| 1 updated \| 1 total \| 1 available \| 0 unavailable$/m);
    expect(text).toMatch(/^StrategyType:\s+RollingUpdate$/m);
    expect(text).toMatch(/^\s+Image:\s+busybox:1\.36$/m);
    // describe looks up the ReplicaSet it owns.
    expect(text).toMatch(/^NewReplicaSet:\s+web-[a-z0-9]+ \(1\/1 replicas created\)$/m);
  });

  it('scales a Deployment', async () => {
    expect(await ok('scale', 'deployment', 'web', '--replicas=3', '-n', cluster.namespace)).toBe('deployment.apps/web scaled\n');
    expect(await ok('get', 'deployment', 'web', '-n', cluster.namespace, '-o', 'jsonpath={.spec.replicas}')).toBe('3');
    await ok('rollout', 'status', 'deployment/web', '-n', cluster.namespace, '--timeout=60s');
    const rows = table(await ok('get', 'deployment', 'web', '-n', cluster.namespace));
    expect(rows[1].slice(0, 4)).toEqual(['web', '3/3', '3', '3']);
  });

  it('applies the SeldonDeployment CRD and waits until it is established', async () => {
    const extensions = cluster.kc.makeApiClient(ApiextensionsV1Api);
    const existed = await extensions.readCustomResourceDefinition({ name: CRD_NAME }).then(() => true, () => false);
    if (existed && cluster.live) {
      // Someone's cluster already has it (the operator is installed): use theirs, leave it be.
      console.log(`kubectl.test.ts: ${CRD_NAME} is already installed; not applying or removing it`);
    } else {
      expect(await ok('apply', '-f', CRD_FILE)).toBe(`customresourcedefinition.apiextensions.k8s.io/${CRD_NAME} created\n`);
      cluster.onStop(() => extensions.deleteCustomResourceDefinition({ name: CRD_NAME }));
    }
    expect(await ok('wait', '--for=condition=established', `crd/${CRD_NAME}`, '--timeout=60s')).toBe(`customresourcedefinition.apiextensions.k8s.io/${CRD_NAME} condition met\n`);
  });

  it('applies the seed\'s sample.yaml unchanged and lists it with the printer columns', async () => {
    if (!cluster.live) {
      expect(await ok('create', 'namespace', 'seldon')).toBe('namespace/seldon created\n');
      cluster.onStop(() => kubectl('delete', 'namespace', 'seldon', '--wait=false'));
    }
    expect(await ok('apply', '-f', sampleFile)).toBe('seldondeployment.machinelearning.seldon.io/iris-model created\n');

    const rows = table(await ok('get', 'sdep', '-n', sampleNs));
    expect(rows[0]).toEqual(['NAME', 'STATE', 'REPLICAS', 'ADDRESS', 'AGE']);
    expect(rows[1][0]).toBe('iris-model');
    // The long name and the short name are the same resource.
    expect(await ok('get', 'seldondeployments.machinelearning.seldon.io', '-n', sampleNs, '-o', 'name')).toBe('seldondeployment.machinelearning.seldon.io/iris-model\n');
  });

  it('reads the custom resource back with get -o yaml and describe', async () => {
    const object = parse(await ok('get', 'sdep', 'iris-model', '-n', sampleNs, '-o', 'yaml')) as {
      apiVersion: string; kind: string; metadata: { name: string; generation: number; uid: string }; spec: { name: string; predictors: { graph: Record<string, string>; replicas: number }[] };
    };
    expect(object.apiVersion).toBe('machinelearning.seldon.io/v1');
    expect(object.kind).toBe('SeldonDeployment');
    expect(object.metadata.generation).toBe(1);
    expect(object.spec.name).toBe('iris');
    expect(object.spec.predictors[0].graph).toMatchObject({ implementation: 'SKLEARN_SERVER', modelUri: 'gs://seldon-models/v1.11.0-dev/sklearn/iris', name: 'classifier' });
    expect(object.spec.predictors[0].replicas).toBe(1);

    const text = await ok('describe', 'sdep', 'iris-model', '-n', sampleNs);
    expect(text).toMatch(/^Name:\s+iris-model$/m);
    expect(text).toMatch(/^Kind:\s+SeldonDeployment$/m);
    expect(text).toMatch(/^\s+Implementation:\s+SKLEARN_SERVER$/m);
  });

  it('explains the custom resource\'s fields from the schema the server publishes', async () => {
    // kubectl 1.20 reads it from /openapi/v2, newer ones from /openapi/v3.
    const text = await ok('explain', 'sdep.spec.predictors.graph');
    expect(text).toMatch(/^KIND:\s+SeldonDeployment$/m);
    expect(text).toMatch(/^\s+modelUri\s+<string>$/m);
    expect(text).toMatch(/^\s+children\s+<\[\]Object>$/m);
  });

  it('scales the custom resource through its scale subresource', async () => {
    expect(await ok('scale', 'sdep', 'iris-model', '--replicas=2', '-n', sampleNs)).toBe('seldondeployment.machinelearning.seldon.io/iris-model scaled\n');
    expect(await ok('get', 'sdep', 'iris-model', '-n', sampleNs, '-o', 'jsonpath={.spec.replicas}')).toBe('2');
  });

  it('prints the API server\'s refusal of a manifest that breaks the schema, and creates nothing', async () => {
    const file = join(dir, 'invalid.yaml');
    // The lesson's invalid manifest, under a name of its own so it cannot touch iris-model.
    writeFileSync(file, readFileSync(join(SAMPLES, 'invalid-schema.yaml'), 'utf8').replace('name: iris-model', 'name: iris-invalid').replace(/namespace: seldon\b/, `namespace: ${sampleNs}`));
    if (clientSideValidation) {
      // This kubectl refuses it itself, from the CRD's schema in /openapi/v2, and sends nothing ...
      const local = await kubectl('apply', '-f', file);
      expect(local.code).toBe(1);
      expect(local.stderr).toContain('error validating data: [');
      expect(local.stderr).toContain('ValidationError(SeldonDeployment.spec.predictors[0].graph): missing required field "name" in io.seldon.machinelearning.v1.SeldonDeployment.spec.predictors.graph');
      expect(local.stderr).toContain('ValidationError(SeldonDeployment.spec.predictors[0].replicas): invalid type for io.seldon.machinelearning.v1.SeldonDeployment.spec.predictors.replicas: got "string", expected "integer"');
      expect(local.stderr).toContain('if you choose to ignore these errors, turn validation off with --validate=false');
    }
    // ... and without that check the API server refuses it.
    const result = await kubectl('apply', ...(clientSideValidation ? ['--validate=false'] : []), '-f', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The SeldonDeployment "iris-invalid" is invalid: \n');
    expect(result.stderr).toContain('* spec.predictors[0].graph.name: Required value\n');
    expect(result.stderr).toContain('* spec.predictors[0].replicas: Invalid value: "string": spec.predictors[0].replicas in body must be of type integer: "string"\n');
    const names = await ok('get', 'sdep', '-n', sampleNs, '-o', 'name');
    expect(names).toBe('seldondeployment.machinelearning.seldon.io/iris-model\n');
  });

  it('deletes what it applied', async () => {
    expect(await ok('delete', '-f', sampleFile)).toBe('seldondeployment.machinelearning.seldon.io "iris-model" deleted\n');
    expect(await ok('delete', 'deployment', 'web', '-n', cluster.namespace)).toBe('deployment.apps "web" deleted\n');
    const empty = await kubectl('get', 'sdep', '-n', sampleNs);
    expect(empty).toMatchObject({ code: 0, stdout: '' });
    expect(empty.stderr.trim()).toBe(`No resources found in ${sampleNs} namespace.`);
    // The Deployment's ReplicaSet and pods follow it (garbage collection).
    await eventually(async () => (await ok('get', 'replicasets,pods', '-n', cluster.namespace, '-o', 'name')).trim() === '', 60_000, 'the ReplicaSet and pods of web to be collected');
  });
});
