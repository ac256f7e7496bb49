// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { contextSources, copyInstructions, splitImage } from './images.js';

describe('splitImage', () => {
  it('splits at the tag\'s colon, not a registry port', () => {
    expect(splitImage('seldon-lab/operator:0.1.0')).toEqual({ repository: 'seldon-lab/operator', tag: '0.1.0' });
    expect(splitImage('localhost:5000/seldon-lab/operator:1.0')).toEqual({ repository: 'localhost:5000/seldon-lab/operator', tag: '1.0' });
  });

  it('refuses an image without a tag, saying where to pin one', () => {
    expect(() => splitImage('localhost:5000/op')).toThrow(/has no tag: pin one in cluster\/images\.json/);
  });
});

describe('copyInstructions and contextSources', () => {
  const dockerfile = [
    'FROM x AS packages',
    'COPY package.json package-lock.json ./',
    '# COPY commented/ ./out/',
    'FROM x',
    'COPY --from=packages /app/node_modules ./node_modules',
    'COPY --chown=1:1 bin/ \\',
    '     ./bin/',
    'copy lib/ ./lib/',
  ].join('\n');

  it('reads sources, destination and stage, across continuation lines', () => {
    expect(copyInstructions(dockerfile)).toEqual([
      { sources: ['package.json', 'package-lock.json'], destination: './', fromStage: undefined },
      { sources: ['/app/node_modules'], destination: './node_modules', fromStage: 'packages' },
      { sources: ['bin/'], destination: './bin/', fromStage: undefined },
      { sources: ['lib/'], destination: './lib/', fromStage: undefined },
    ]);
  });

  it('lists what comes from the build context only', () => {
    expect(contextSources(dockerfile)).toEqual(['package.json', 'package-lock.json', 'bin', 'lib']);
  });
});
