// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseDownArgs } from './args.js';
import { downCommands } from './down.js';
import { imagePresent } from './status.js';

describe('downCommands', () => {
  const line = (o: string[]) => downCommands(parseDownArgs(o)).map((c) => `${c.program} ${c.args.join(' ')}`);

  it('stops by default, deletes with --delete, only for the kit\'s profile', () => {
    expect(line([])).toEqual(['minikube stop --profile=seldon-lab']);
    expect(line(['--delete', '--profile', 'class-a'])).toEqual(['minikube delete --profile=class-a']);
  });

  it('uninstalls the operator before Emissary with --uninstall, and tolerates releases that are not there', () => {
    expect(line(['--uninstall'])).toEqual([
      'helm uninstall seldon-lab-operator --kube-context=seldon-lab --namespace=seldon-system --ignore-not-found',
      'helm uninstall emissary-ingress --kube-context=seldon-lab --namespace=emissary --ignore-not-found',
      'helm uninstall emissary-crds --kube-context=seldon-lab --namespace=emissary --ignore-not-found',
      'helm uninstall emissary-crds --kube-context=seldon-lab --namespace=emissary-system --ignore-not-found',
    ]);
  });
});

describe('imagePresent', () => {
  it('finds an image under the names minikube lists', () => {
    const listing = 'registry.k8s.io/pause:3.10\ndocker.io/seldon-lab/operator:0.1.0\n';
    expect(imagePresent(listing, 'seldon-lab/operator:0.1.0')).toBe(true);
    expect(imagePresent(listing, 'seldon-lab/operator:0.2.0')).toBe(false);
    expect(imagePresent('seldon-lab/model-server:0.1.0', 'seldon-lab/model-server:0.1.0')).toBe(true);
  });
});
