// SPDX-License-Identifier: Apache-2.0
// The CustomResourceDefinition controller: accepts a CRD's names and marks it Established, which
// is what `kubectl wait --for condition=established crd/...` and Helm wait for before creating
// custom resources.
//
// Two CRDs of one API group cannot both claim a name: a plural, singular, short name, kind or
// list kind that another CRD of the group already has accepted is refused, and the CRD reports
//   NamesAccepted  False  PluralConflict (or SingularConflict, ShortNamesConflict, KindConflict,
//                         ListKindConflict)  "\"widgets\" is already in use"
//   Established    False  NotAccepted  "not all names are accepted"
// Otherwise NamesAccepted True (NoConflicts), Established True (InitialNamesAccepted), and
// `status.acceptedNames` repeats the names. Accepted names stick: once a name is accepted it stays
// accepted, even if a CRD created later asks for it too (apiextensions-apiserver's NamingConditionController).
import { refs, type ApiHandle } from '../apiserver/api.js';
import type { KubeObject } from '../apiserver/types.js';
import { Controller, type Logger } from './controller.js';
import type { Informer, InformerFactory } from './informer.js';
import { findCondition, isBeingDeleted, jsonEqual, now, setCondition, type Condition } from './objects.js';

interface Names {
  plural?: string;
  singular?: string;
  shortNames?: string[];
  kind?: string;
  listKind?: string;
  categories?: string[];
}

interface CrdStatus {
  acceptedNames?: Names;
  conditions?: Condition[];
  storedVersions?: string[];
}

const groupOf = (crd: KubeObject) => String((crd.spec as { group?: string } | undefined)?.group ?? '');
const namesOf = (crd: KubeObject): Names => (crd.spec as { names?: Names } | undefined)?.names ?? {};
const statusOf = (crd: KubeObject): CrdStatus => (crd.status ?? {}) as CrdStatus;

export class CrdController extends Controller {
  readonly name = 'crd-naming-controller';
  private readonly crds: Informer;

  constructor(
    private readonly api: ApiHandle,
    informers: InformerFactory,
    log: Logger,
  ) {
    super(log);
    this.crds = informers.informer(refs.crds);
    // A change to one CRD can free or take a name for every other CRD of its group.
    const enqueueGroup = (crd: KubeObject) => {
      for (const other of this.crds.list()) if (groupOf(other) === groupOf(crd)) this.queue.add(String(other.metadata.name));
      this.queue.add(String(crd.metadata.name));
    };
    this.crds.addHandlers({ onAdd: enqueueGroup, onUpdate: (_old, crd) => enqueueGroup(crd), onDelete: enqueueGroup });
  }

  async reconcile(name: string): Promise<void> {
    const crd = this.crds.get(undefined, name);
    // A CRD being deleted is the API server's business now (it deletes the custom resources).
    if (!crd || isBeingDeleted(crd)) return;
    const { acceptedNames, namesAccepted } = this.acceptNames(crd);
    const current = statusOf(crd);
    let conditions = setCondition(current.conditions, { ...namesAccepted, lastTransitionTime: now() });
    const established = findCondition(current.conditions, 'Established');
    if (namesAccepted.status === 'True') {
      // Once established, a CRD stays established (its names may change later, its types keep serving).
      conditions = setCondition(conditions, {
        type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: now(),
      });
    } else if (established?.status !== 'True') {
      conditions = setCondition(conditions, {
        type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted', lastTransitionTime: now(),
      });
    }
    const next: CrdStatus = { ...current, acceptedNames, conditions };
    if (jsonEqual(current, next)) return;
    await this.api.update(refs.crds, { ...crd, status: next }, { subresource: 'status' });
  }

  /** Each requested name is accepted unless another CRD of the group has accepted it already. */
  private acceptNames(crd: KubeObject): { acceptedNames: Names; namesAccepted: Condition } {
    const requested = namesOf(crd);
    const accepted: Names = { ...(statusOf(crd).acceptedNames ?? {}) };
    // Plurals, singulars and short names share one space (`kubectl get <any of them>`); kinds another.
    const resources = new Set<string>();
    const kinds = new Set<string>();
    for (const other of this.crds.list()) {
      if (other.metadata.name === crd.metadata.name || groupOf(other) !== groupOf(crd)) continue;
      const names = statusOf(other).acceptedNames ?? {};
      for (const n of [names.plural, names.singular, ...(names.shortNames ?? [])]) if (n) resources.add(n);
      for (const n of [names.kind, names.listKind]) if (n) kinds.add(n);
    }
    // As upstream: every name is checked, and the condition reports the last conflict found.
    let conflict: { reason: string; message: string } | undefined;
    const check = (field: 'plural' | 'singular' | 'kind' | 'listKind', value: string | undefined, used: Set<string>, reason: string) => {
      if (value !== undefined && value !== accepted[field] && used.has(value)) conflict = { reason, message: `"${value}" is already in use` };
      else accepted[field] = value;
    };
    check('plural', requested.plural, resources, 'PluralConflict');
    check('singular', requested.singular ?? requested.kind?.toLowerCase(), resources, 'SingularConflict');
    const clash = (requested.shortNames ?? []).find((s) => !(accepted.shortNames ?? []).includes(s) && resources.has(s));
    if (clash) conflict = { reason: 'ShortNamesConflict', message: `"${clash}" is already in use` };
    else accepted.shortNames = requested.shortNames?.length ? [...requested.shortNames] : undefined;
    check('kind', requested.kind, kinds, 'KindConflict');
    check('listKind', requested.listKind ?? (requested.kind ? `${requested.kind}List` : undefined), kinds, 'ListKindConflict');
    accepted.categories = requested.categories?.length ? [...requested.categories] : undefined;

    const namesAccepted: Condition = conflict
      ? { type: 'NamesAccepted', status: 'False', ...conflict }
      : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
    return { acceptedNames: withoutUndefined(accepted), namesAccepted };
  }
}

function withoutUndefined(names: Names): Names {
  return Object.fromEntries(Object.entries(names).filter(([, v]) => v !== undefined)) as Names;
}
