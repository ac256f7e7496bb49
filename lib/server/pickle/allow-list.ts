// SPDX-License-Identifier: Apache-2.0
// The allow-list: the only classes and functions a pickle may name.
//
// Python's unpickler imports whatever `module.name` a file asks for and calls it, which is why
// loading an untrusted pickle runs code. Ours looks the name up in this list instead. A name that
// is not here is refused with a RefusedGlobalError naming it; a name that is here maps to
// TypeScript we wrote (see python.ts: AllowedGlobal), so the file only ever chooses among our
// functions, with data as arguments.

import { RefusedGlobalError } from './errors.js';
import { PyGlobal, type AllowedGlobal } from './python.js';

// Python 3 reads Python 2 module names in old pickles (pickle's fix_imports). Only the renames
// our entries need; the rest stay unknown, and so refused.
const PYTHON2_MODULES: Record<string, string> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
};

export class AllowList {
  private readonly entries = new Map<string, AllowedGlobal>();

  constructor(...groups: Iterable<AllowedGlobal>[]) {
    for (const group of groups) {
      for (const entry of group) this.entries.set(`${entry.module}.${entry.name}`, entry);
    }
  }

  /** A new list with these entries added (a later entry with the same name wins). */
  with(...groups: Iterable<AllowedGlobal>[]): AllowList {
    return new AllowList(this.entries.values(), ...groups);
  }

  /** The GLOBAL and STACK_GLOBAL opcodes: the entry for `module.name`, or a RefusedGlobalError. */
  resolve(module: string, name: string, offset?: number): PyGlobal {
    const qualifiedName = `${PYTHON2_MODULES[module] ?? module}.${name}`;
    const entry = this.entries.get(qualifiedName);
    if (!entry) throw new RefusedGlobalError(`${module}.${name}`, offset);
    return new PyGlobal(entry);
  }

  has(qualifiedName: string): boolean {
    return this.entries.has(qualifiedName);
  }

  /** Every allowed `module.name`, sorted: what a file may name, and nothing else. */
  names(): string[] {
    return [...this.entries.keys()].sort();
  }
}
