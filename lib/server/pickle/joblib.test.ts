// SPDX-License-Identifier: Apache-2.0
// joblib's file layouts: array bytes after the NumpyArrayWrapper (with and without the alignment
// padding of joblib >= 1.2), zlib and gzip compression, and the formats we refuse by name.

import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../paths.js';
import { assemble, op } from './assemble.js';
import { PickleError } from './errors.js';
import { dataAllowList, loadPickle } from './load.js';
import { NdArray } from './numpy/ndarray.js';
import { PyObject, pythonClass } from './python.js';
import { detectFormat } from './stream-format.js';

const fixture = (name: string, file = 'model.joblib') => readFileSync(fromRoot('cluster', 'models', 'fixtures', `sklearn-${name}`, file));
// Enough of scikit-learn's classes to open the iris model as data (the runtime has the full list).
const classes = [pythonClass('sklearn.pipeline', 'Pipeline'), pythonClass('sklearn.linear_model._logistic', 'LogisticRegression')];

function coefOf(bytes: Uint8Array): number[] {
  const pipeline = loadPickle(bytes, { classes }) as PyObject;
  const [[, clf]] = pipeline.get('steps') as [string, PyObject][];
  return Array.from((clf.get('coef_') as NdArray).numbers());
}

/** A joblib stream holding one float64 array [1.5, -2], written the way joblib writes it. */
function wrappedArray(options: { padding?: number; dataBytes?: number; subclass?: [string, string] } = {}): Uint8Array {
  const { padding, dataBytes = 16, subclass = ['numpy', 'ndarray'] } = options;
  const data = new Uint8Array(16);
  new DataView(data.buffer).setFloat64(0, 1.5, true);
  new DataView(data.buffer).setFloat64(8, -2, true);
  const field = (name: string, value: number[]) => [...op.str(name), ...value];
  const dtype = [...op.global('numpy', 'dtype'), ...op.str('f8'), ...op.false(), ...op.true(), ...op.tuple3(), ...op.reduce(),
    ...op.mark(), ...op.int(3), ...op.str('<'), ...op.none(), ...op.none(), ...op.none(), ...op.int(-1), ...op.int(-1), ...op.int(0),
    ...op.tuple(), ...op.build()];
  return assemble(
    op.proto(2),
    op.global('joblib.numpy_pickle', 'NumpyArrayWrapper'), op.emptyTuple(), op.newobj(),
    op.emptyDict(), op.mark(),
    field('subclass', op.global(...subclass)),
    field('shape', [...op.int(2), ...op.tuple1()]),
    field('order', op.str('C')),
    field('dtype', dtype),
    field('allow_mmap', op.true()),
    ...(padding === undefined ? [] : [field('numpy_array_alignment_bytes', op.int(16))]),
    op.setitems(), op.build(),
    padding === undefined ? [] : [padding, ...Array(padding).fill(0xff)],
    data.subarray(0, dataBytes),
    dataBytes === 16 ? op.stop() : [],
  );
}

describe('the array bytes after a NumpyArrayWrapper', () => {
  it('reads them without padding (joblib <= 1.1) and with it (joblib >= 1.2)', () => {
    for (const padding of [undefined, 0, 5, 15]) {
      const array = loadPickle(wrappedArray({ padding })) as NdArray;
      expect(array).toBeInstanceOf(NdArray);
      expect(array.values()).toEqual([1.5, -2]);
    }
  });

  it('says which array is cut short', () => {
    expect(() => loadPickle(wrappedArray({ dataBytes: 10 }))).toThrow(/the data of a \(2\) <f8 array.*truncated/);
  });

  it('refuses a wrapper that stands for anything but numpy.ndarray', () => {
    expect(() => loadPickle(wrappedArray({ subclass: ['builtins', 'object'] }))).toThrow(/only numpy.ndarray/);
  });

  it('gives the same model from the aligned and the legacy layout', () => {
    expect(coefOf(fixture('iris'))).toEqual(coefOf(fixture('joblib-legacy')));
  });
});

describe('compressed joblib files', () => {
  it('recognises pickles, zlib and gzip by their first bytes', () => {
    expect(detectFormat(fixture('iris'))).toBe('pickle');
    expect(detectFormat(fixture('compressed-zlib'))).toBe('zlib');
    expect(detectFormat(fixture('compressed-gzip'))).toBe('gzip');
  });

  it('reads zlib and gzip files to the same model', () => {
    expect(coefOf(fixture('compressed-gzip'))).toEqual(coefOf(fixture('iris')));
    // The forest's trees are not on this allow-list: refused by name, so decompression worked.
    const forestOnly = [pythonClass('sklearn.ensemble._forest', 'RandomForestClassifier')];
    expect(() => loadPickle(fixture('compressed-zlib'), { classes: forestOnly })).toThrow(
      /refused to load sklearn\.tree\._classes\.DecisionTreeClassifier/,
    );
  });

  it('names the compressions it does not read', () => {
    for (const [prefix, name] of [[[0x42, 0x5a, 0x68], 'bz2'], [[0xfd, 0x37, 0x7a, 0x58, 0x5a], 'xz'], [[0x04, 0x22, 0x4d, 0x18], 'lz4'], [[0x5a, 0x46, 0x30], 'ZF']] as const) {
      expect(() => loadPickle(Uint8Array.from(prefix))).toThrow(new RegExp(`${name}.*save it again`));
    }
  });

  it('reports a truncated compressed file', () => {
    const whole = fixture('compressed-gzip');
    expect(() => loadPickle(whole.subarray(0, whole.length / 2), { classes })).toThrow(/cannot decompress the gzip stream.*truncated/);
  });

  it('stops a small file that expands to too much (a zip bomb)', () => {
    const bomb = deflateSync(new Uint8Array(4 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(10_000);
    expect(() => loadPickle(bomb, { limits: { maxInputBytes: 1024 * 1024 } })).toThrow(PickleError);
    expect(() => loadPickle(bomb, { limits: { maxInputBytes: 1024 * 1024 } })).toThrow(/expands to more than 1048576 bytes/);
  });
});

describe('the data allow-list', () => {
  it('holds numpy, joblib and a few builtins, and no library classes', () => {
    const names = dataAllowList.names();
    expect(names).toContain('joblib.numpy_pickle.NumpyArrayWrapper');
    expect(names).toContain('numpy.core.multiarray._reconstruct');
    expect(names).toContain('copyreg._reconstructor');
    expect(names.filter((n) => n.startsWith('sklearn.') && !n.includes('NumpyArrayWrapper'))).toEqual([]);
    expect(names.some((n) => /^(os|posix|subprocess|builtins\.(eval|exec|getattr|__import__))/.test(n))).toBe(false);
  });
});
