// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  emissaryCrdsInstall, emissaryInstall, helmUninstall, ingressAccessLines, kubectlApplyFile, kubectlGetJson, minikubeImageBuild,
  minikubeStart, namespaceManifest, operatorInstall, predictionsUrl,
} from './commands.js';
import { EMISSARY } from './pins.js';

describe('minikube commands', () => {
  it('start a machine of the given size, with optional version and driver', () => {
    expect(minikubeStart({ profile: 'seldon-lab', cpus: 2, memory: '4g' }).args).toEqual(['start', '--profile=seldon-lab', '--cpus=2', '--memory=4g']);
    expect(minikubeStart({ profile: 'p', cpus: 4, memory: '8g', kubernetesVersion: 'v1.31.2', driver: 'docker' }).args).toEqual(
      ['start', '--profile=p', '--cpus=4', '--memory=8g', '--kubernetes-version=v1.31.2', '--driver=docker'],
    );
  });

  it('build an image from a staged folder, into the profile\'s runtime', () => {
    expect(minikubeImageBuild('p', 'seldon-lab/operator:0.1.0', '/tmp/ctx')).toEqual({ program: 'minikube', args: ['image', 'build', '--profile=p', '-t', 'seldon-lab/operator:0.1.0', '/tmp/ctx'] });
  });
});

describe('kubectl and helm commands', () => {
  it('always name the context, never rely on the current one', () => {
    const commands = [
      kubectlGetJson('p', 'pods', 'ns', 'a=b'), kubectlApplyFile('p', 'f.yaml'), emissaryCrdsInstall('p', 'ambassador-v3alpha1'),
      emissaryInstall('p', 'ambassador-v3alpha1', 'v.yaml'), helmUninstall('p', 'r', 'n'),
      operatorInstall('p', 'chart', { operator: { repository: 'o', tag: '1' }, modelServer: { repository: 'm', tag: '2' } }, 'none'),
    ];
    for (const c of commands) expect(c.args.filter((a) => a === '--context=p' || a === '--kube-context=p'), c.args.join(' ')).toHaveLength(1);
  });

  it('read objects as JSON, in a namespace, by label', () => {
    expect(kubectlGetJson('p', 'pods', 'emissary', 'app=x').args).toEqual(['--context=p', 'get', 'pods', '-o', 'json', '--namespace=emissary', '--selector=app=x']);
    expect(kubectlGetJson('p', 'seldondeployments.machinelearning.seldon.io', '*').args).toEqual(['--context=p', 'get', 'seldondeployments.machinelearning.seldon.io', '-o', 'json', '--all-namespaces']);
  });

  it('apply server-side, so the large CRD needs no last-applied annotation', () => {
    expect(kubectlApplyFile('p', 'crd.yaml').args).toEqual(['--context=p', 'apply', '--server-side', '--force-conflicts', '--field-manager=seldon-lab-cluster-up', '--filename=crd.yaml']);
    expect(JSON.parse(namespaceManifest('seldon'))).toMatchObject({ kind: 'Namespace', metadata: { name: 'seldon' } });
  });

  it('install Emissary\'s pinned charts, with legacy CRDs only for v2 Mappings', () => {
    const modern = emissaryCrdsInstall('p', 'ambassador-v3alpha1').args;
    expect(modern.slice(0, 4)).toEqual(['upgrade', '--install', 'emissary-crds', 'oci://ghcr.io/emissary-ingress/emissary-crds-chart']);
    expect(modern).toEqual(expect.arrayContaining([`--version=${EMISSARY.version}`, '--namespace=emissary', '--create-namespace', '--set=enableLegacyVersions=false']));
    const legacy = emissaryCrdsInstall('p', 'ambassador-v2').args;
    expect(legacy).toEqual(expect.arrayContaining(['--namespace=emissary-system', '--set=enableLegacyVersions=true']));
    expect(emissaryInstall('p', 'ambassador-v3alpha1', '/x/values.yaml').args).toEqual(expect.arrayContaining([
      'oci://ghcr.io/emissary-ingress/emissary-ingress', `--version=${EMISSARY.version}`, '--values=/x/values.yaml', '--set=waitForApiext.enabled=false',
    ]));
    expect(emissaryInstall('p', 'ambassador-v2', 'v').args).toContain('--set=waitForApiext.enabled=true');
  });

  it('install the operator chart with the pinned images as strings, and the ingress flavour', () => {
    const args = operatorInstall('p', '/repo/chart', { operator: { repository: 'seldon-lab/operator', tag: '1.0' }, modelServer: { repository: 'seldon-lab/model-server', tag: '1.0' } }, 'ambassador-v2').args;
    expect(args.slice(0, 4)).toEqual(['upgrade', '--install', 'seldon-lab-operator', '/repo/chart']);
    // --set-string: a tag like 1.0 must stay the string "1.0", not become the number 1.
    expect(args).toEqual(expect.arrayContaining([
      '--namespace=seldon-system', '--create-namespace', '--set-string=images.operator.tag=1.0', '--set-string=images.modelServer.repository=seldon-lab/model-server',
      '--set-string=config.ingress=ambassador-v2',
    ]));
  });
});

describe('the ingress, for people', () => {
  it('builds Seldon\'s prediction URL', () => {
    expect(predictionsUrl('http://localhost:8003/', 'seldon', 'iris-model')).toBe('http://localhost:8003/seldon/seldon/iris-model/api/v1.0/predictions');
  });

  it('offers a port-forward and minikube tunnel, with the address when the tunnel already gave one', () => {
    const without = ingressAccessLines('seldon-lab', undefined).join('\n');
    expect(without).toContain('kubectl --context=seldon-lab --namespace=emissary port-forward svc/emissary-ingress 8003:80');
    expect(without).toContain('minikube tunnel --profile=seldon-lab');
    expect(without).toContain('EXTERNAL-IP');
    expect(ingressAccessLines('seldon-lab', '10.96.0.20').join('\n')).toContain('http://10.96.0.20');
  });
});
