// SPDX-License-Identifier: Apache-2.0
// Sets of field paths, the unit of ownership in server-side apply. A manager owns a set of paths;
// `metadata.managedFields[].fieldsV1` is such a set written as a tree:
//
//   {"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers":
//     {"k:{\"name\":\"nginx\"}": {".": {}, "f:image": {}}}}}}}
//
// Each key is one step of a path: `f:<field>`, `k:<key fields as JSON>` for an item of a keyed
// list, `v:<value as JSON>` for an item of a set, `i:<index>` for an item of an atomic list seen
// by position. `{}` marks a path that is in the set; `".": {}` marks that a step which also has
// children is itself in the set (the container was created or replaced by this manager).
// The model follows sigs.k8s.io/structured-merge-diff's fieldpath.Set.

export type PathElement =
  | { field: string }
  | { key: Record<string, unknown> }
  | { value: unknown }
  | { index: number };

export type Path = PathElement[];

/** Sorted JSON, so `{"protocol":"TCP","containerPort":80}` and its reordering name the same item. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as object).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** The FieldsV1 key of one step: `f:name`, `k:{...}`, `v:...`, `i:0`. */
export function elementKey(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) return `k:${canonicalJson(pe.key)}`;
  if ('value' in pe) return `v:${canonicalJson(pe.value)}`;
  return `i:${pe.index}`;
}

function parseElementKey(key: string): PathElement {
  const kind = key.slice(0, 2);
  const rest = key.slice(2);
  if (kind === 'f:') return { field: rest };
  if (kind === 'k:') return { key: JSON.parse(rest) as Record<string, unknown> };
  if (kind === 'v:') return { value: JSON.parse(rest) as unknown };
  if (kind === 'i:') return { index: Number(rest) };
  throw new Error(`unknown field set element ${JSON.stringify(key)}: expected f:, k:, v: or i:`);
}

/** How kubectl and the API server print a path in conflict messages: .spec.containers[name="x"].image */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      if ('field' in pe) return `.${pe.field}`;
      if ('key' in pe) {
        const parts = Object.keys(pe.key).sort().map((k) => `${k}=${canonicalJson(pe.key[k])}`);
        return `[${parts.join(',')}]`;
      }
      if ('value' in pe) return `[=${canonicalJson(pe.value)}]`;
      return `[${pe.index}]`;
    })
    .join('');
}

/** Elements sort fields first, then keys, values and indexes, as structured-merge-diff sorts them. */
function compareKeys(a: string, b: string): number {
  const rank = (k: string) => 'fkvi'.indexOf(k[0]);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

export class FieldSet {
  /** steps below this node that are themselves in the set */
  private readonly members = new Map<string, PathElement>();
  /** steps below this node that have members further down */
  private readonly children = new Map<string, { element: PathElement; set: FieldSet }>();

  static fromPaths(paths: Iterable<Path>): FieldSet {
    const set = new FieldSet();
    for (const p of paths) set.insert(p);
    return set;
  }

  /** Parse a FieldsV1 object (`metadata.managedFields[].fieldsV1`). */
  static fromFieldsV1(fields: Record<string, unknown>): FieldSet {
    const set = new FieldSet();
    for (const [key, sub] of Object.entries(fields)) {
      if (key === '.') continue;
      const element = parseElementKey(key);
      const inner = (sub ?? {}) as Record<string, unknown>;
      const innerKeys = Object.keys(inner);
      if (innerKeys.length === 0 || '.' in inner) set.members.set(key, element);
      if (innerKeys.some((k) => k !== '.')) set.children.set(key, { element, set: FieldSet.fromFieldsV1(inner) });
    }
    return set;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    const key = elementKey(path[0]);
    if (path.length === 1) {
      this.members.set(key, path[0]);
      return;
    }
    let child = this.children.get(key);
    if (!child) {
      child = { element: path[0], set: new FieldSet() };
      this.children.set(key, child);
    }
    child.set.insert(path.slice(1));
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    const key = elementKey(path[0]);
    if (path.length === 1) return this.members.has(key);
    return this.children.get(key)?.set.has(path.slice(1)) ?? false;
  }

  /** The part of the set below `element` (empty when there is none). */
  childSet(element: PathElement): FieldSet {
    return this.children.get(elementKey(element))?.set ?? new FieldSet();
  }

  hasMember(element: PathElement): boolean {
    return this.members.has(elementKey(element));
  }

  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    for (const [k, pe] of other.members) out.members.set(k, pe);
    for (const [k, child] of other.children) {
      const mine = out.children.get(k);
      out.children.set(k, { element: child.element, set: mine ? mine.set.union(child.set) : child.set.clone() });
    }
    return out;
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, child] of this.children) {
      const theirs = other.children.get(k);
      const rest = theirs ? child.set.difference(theirs.set) : child.set.clone();
      if (!rest.isEmpty()) out.children.set(k, { element: child.element, set: rest });
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) out.members.set(k, pe);
    for (const [k, child] of this.children) {
      const theirs = other.children.get(k);
      if (!theirs) continue;
      const both = child.set.intersection(theirs.set);
      if (!both.isEmpty()) out.children.set(k, { element: child.element, set: both });
    }
    return out;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, child] of this.children) out.children.set(k, { element: child.element, set: child.set.clone() });
    return out;
  }

  /** The paths for which `keep` is true (a filter over `paths()`). */
  filter(keep: (path: Path) => boolean): FieldSet {
    return FieldSet.fromPaths(this.paths().filter(keep));
  }

  /** Every path in the set: at each level the members first, then the subtrees, each sorted. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [];
    for (const k of [...this.members.keys()].sort(compareKeys)) out.push([...prefix, this.members.get(k)!]);
    for (const k of [...this.children.keys()].sort(compareKeys)) {
      const child = this.children.get(k)!;
      out.push(...child.set.paths([...prefix, child.element]));
    }
    return out;
  }

  /** The FieldsV1 form, keys in structured-merge-diff's order ("." first). */
  toFieldsV1(): Record<string, unknown> {
    const keys = new Set([...this.members.keys(), ...this.children.keys()]);
    const out: Record<string, unknown> = {};
    for (const k of [...keys].sort(compareKeys)) {
      const child = this.children.get(k);
      if (!child) {
        out[k] = {};
        continue;
      }
      const inner = child.set.toFieldsV1();
      out[k] = this.members.has(k) ? { '.': {}, ...inner } : inner;
    }
    return out;
  }
}
