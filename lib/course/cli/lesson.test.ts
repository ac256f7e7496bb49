// SPDX-License-Identifier: Apache-2.0
// `npm run lesson`: finds the lesson, shows each cell and its output as it runs, ends with a
// summary, and exits 1 when a cell fails.
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../paths.js';
import { main, type CliIO } from './lesson.js';

const fixture = (name: string) => fromRoot('lib', 'course', 'fixtures', 'run', 'en', `${name}.md`);

function capture(): CliIO & { stdout: () => string; stderr: () => string; both: () => string } {
  let out = '';
  let err = '';
  let both = '';
  return {
    out: (text) => ((out += text), (both += text)),
    err: (text) => ((err += text), (both += text)),
    stdout: () => out,
    stderr: () => err,
    both: () => both,
  };
}

describe('npm run lesson', () => {
  it('prints each cell with its output as it goes, then a summary, and exits 0', async () => {
    const io = capture();
    expect(await main([fixture('01-passes')], io)).toBe(0);
    const text = io.both();
    // Cell 1's header, then its output, then its verdict, then cell 2's header.
    const order = ['── cell 1 · line 10', 'hello\n', '✓ ok, output as expected', '── cell 2 · line 19', 'hello, world\n'];
    const positions = order.map((piece) => text.indexOf(piece));
    expect(positions.every((p) => p >= 0), `all of ${JSON.stringify(order)} in:\n${text}`).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(io.stdout()).toContain('3 of 3 cells passed');
    expect(io.stderr()).toBe('');
  });

  it('exits 1 and names the failing cell when a cell fails', async () => {
    const io = capture();
    expect(await main([fixture('03-throws')], io)).toBe(1);
    expect(io.stdout()).toContain('1 of 3 cells passed, 1 failed, 1 not run');
    expect(io.stderr()).toContain('lib/course/fixtures/run/en/03-throws.md:13: cell 2 failed');
  });

  it('exits 1 with the list of lessons when the number is unknown', async () => {
    const io = capture();
    expect(await main(['98', '--lang', 'ko'], io)).toBe(1);
    expect(io.stderr()).toMatch(/^no lesson '98' in lessons\/ko\. The lessons there:/);
  });

  it('exits 2 on a bad command line', async () => {
    for (const argv of [[], ['01', '--lang', 'fr'], ['01', '--timeout', 'soon'], ['01', '--colour']]) {
      const io = capture();
      expect(await main(argv, io), argv.join(' ')).toBe(2);
      expect(io.stderr()).not.toBe('');
    }
  });
});
