// SPDX-License-Identifier: Apache-2.0
// `seldon-lab notebooks` against a throwaway repository: writing, --check, and lesson errors.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';

// repoRoot() reads SELDON_LAB_ROOT once, so point it at the throwaway repository before importing.
const root = mkdtempSync(join(tmpdir(), 'seldon-lab-cli-'));
const saved = process.env.SELDON_LAB_ROOT;
process.env.SELDON_LAB_ROOT = root;
const { main } = await import('./notebooks.js');

const lesson = (title: string, extra = '') =>
  `---\ntitle: ${title}\norder: 1\n---\n\nSome words.\n\n\`\`\`ts\nconsole.log('hi');\n\`\`\`\n\n\`\`\`output\nhi\n\`\`\`\n${extra}`;

let out: MockInstance<typeof console.log>;
let err: MockInstance<typeof console.error>;
const said = (spy: MockInstance<(...args: unknown[]) => void>) => spy.mock.calls.map((c) => c.join(' ')).join('\n');

beforeAll(() => {
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'seldon-lab' }));
  for (const lang of ['en', 'ko']) mkdirSync(join(root, 'lessons', lang), { recursive: true });
  writeFileSync(join(root, 'lessons', 'en', '01-first.md'), lesson('First'));
  writeFileSync(join(root, 'lessons', 'ko', '01-first.md'), lesson('첫 번째'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  if (saved === undefined) delete process.env.SELDON_LAB_ROOT;
  else process.env.SELDON_LAB_ROOT = saved;
});
beforeEach(() => {
  out = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('seldon-lab notebooks', () => {
  it('writes the notebooks and says which', async () => {
    expect(await main([])).toBe(0);
    expect(said(out)).toBe(
      'wrote notebooks/en/01-first.ipynb\nwrote notebooks/ko/01-first.ipynb\n2 written, 0 unchanged, 0 removed',
    );
    expect(existsSync(join(root, 'notebooks', 'ko', '01-first.ipynb'))).toBe(true);
  });

  it('--check passes when the notebooks are fresh', async () => {
    expect(await main(['--check'])).toBe(0);
    expect(said(out)).toBe('notebooks are up to date');
  });

  it('--check exits 1 and lists stale notebooks, without writing', async () => {
    writeFileSync(join(root, 'lessons', 'en', '01-first.md'), lesson('First, changed'));
    expect(await main(['--check'])).toBe(1);
    expect(said(err)).toBe('notebooks/en/01-first.ipynb differs from its lesson lessons/en/01-first.md: run npm run notebooks');
    expect(await main(['--check'])).toBe(1);
    expect(await main([])).toBe(0);
    expect(await main(['--check'])).toBe(0);
  });

  it('reports a lesson error with its file and line, without a stack trace', async () => {
    writeFileSync(join(root, 'lessons', 'en', '01-first.md'), lesson('First', '\n```ts\nnever closed\n'));
    expect(await main([])).toBe(1);
    expect(said(err)).toBe('lessons/en/01-first.md:16: unterminated fence: this ``` block has no closing ``` line');
    writeFileSync(join(root, 'lessons', 'en', '01-first.md'), lesson('First, changed'));
  });

  it('refuses unknown arguments and explains itself', async () => {
    expect(await main(['--force'])).toBe(2);
    expect(said(err)).toMatch(/unknown argument --force[\s\S]*usage: seldon-lab notebooks \[--check\]/);
    expect(await main(['--help'])).toBe(0);
    expect(said(out)).toMatch(/^usage: seldon-lab notebooks/);
  });
});

describe('seldon-lab notebooks and twins', () => {
  it('warns about a lesson without its twin, and still writes', async () => {
    writeFileSync(join(root, 'lessons', 'en', '02-second.md'), lesson('Second').replace('order: 1', 'order: 2'));
    expect(await main([])).toBe(0);
    expect(said(err)).toBe('warning: lessons/en/02-second.md:1: no twin: lessons/ko/02-second.md is missing');
    expect(said(out)).toContain('wrote notebooks/en/02-second.ipynb');
  });
});
