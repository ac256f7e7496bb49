// SPDX-License-Identifier: Apache-2.0
// Files made to attack whoever loads them (cluster/models/fixtures/sklearn-hostile, written by
// Python's own pickle): each is refused, naming the function it would have run, and nothing runs.
// Their payload is `touch <marker>`, so "nothing ran" is checked, not assumed.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../paths.js';
import { assemble, op } from './assemble.js';
import { PickleError, RefusedGlobalError } from './errors.js';
import { loadPickle } from './load.js';
import { pythonClass } from './python.js';

const folder = fromRoot('cluster', 'models', 'fixtures', 'sklearn-hostile');
const expected = JSON.parse(readFileSync(`${folder}/expected.json`, 'utf8')) as { marker: string; globals: Record<string, string[]> };
const classes = [pythonClass('sklearn.pipeline', 'Pipeline')];
const dangerous = (names: string[]) => names.filter((n) => n !== 'sklearn.pipeline.Pipeline');

beforeAll(() => {
  // Our own marker file, from an earlier run of something else; the tests below need it absent.
  rmSync(expected.marker, { force: true });
});

describe('pickles that run code when Python loads them', () => {
  const files = Object.entries(expected.globals).filter(([, names]) => names.length > 0);

  it.each(files)('%s is refused, naming the global it carries', (file, names) => {
    let error: unknown;
    try {
      loadPickle(readFileSync(`${folder}/${file}`), { classes });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RefusedGlobalError);
    expect((error as RefusedGlobalError).qualifiedName).toBe(dangerous(names)[0]);
    expect((error as Error).message).toContain(`refused to load ${dangerous(names)[0]}`);
    expect((error as Error).message).toContain('Nothing from the file was run');
  });

  it('ran none of their payloads', () => {
    for (const [file] of files) expect(() => loadPickle(readFileSync(`${folder}/${file}`), { classes })).toThrow();
    expect(existsSync(expected.marker)).toBe(false);
  });
});

describe('damaged and oversized files', () => {
  it('refuses a truncated joblib file with a PickleError', () => {
    expect(() => loadPickle(readFileSync(`${folder}/truncated.joblib`))).toThrow(PickleError);
  });

  it('loads a "billion laughs" of shared references without expanding it', () => {
    // list0 = []; listN = [listN-1, listN-1]: 2^60 leaves if copied, 60 objects as references.
    const levels = Array.from({ length: 60 }, (_, i) => [...op.binget(i % 2), ...op.dup(), ...op.tuple2(), ...op.binput((i + 1) % 2)]);
    const top = loadPickle(assemble(op.proto(2), op.emptyList(), op.binput(0), ...levels, op.stop())) as unknown[];
    expect(top[0]).toBe(top[1]);
  });

  it('refuses a memo flood beyond the limit', () => {
    const puts = Array.from({ length: 2000 }, (_, i) => op.longBinput(i));
    expect(() => loadPickle(assemble(op.proto(2), op.none(), ...puts, op.stop()), { limits: { maxMemoEntries: 1000 } })).toThrow(
      /more than 1000 memo entries/,
    );
  });
});
