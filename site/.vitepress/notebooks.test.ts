// SPDX-License-Identifier: Apache-2.0
// Notebooks on the site: copied into the build when they exist, served by the dev server, and a
// missing one is a 404 that says how to make it, never a broken build.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyNotebooks, hasNotebook, notebookPath, serveNotebooks } from './notebooks.js';
import { makeRepo } from './testing.js';

const notebook = JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] });
const root = makeRepo({
  'notebooks/en/01-custom-resources.ipynb': notebook,
  'notebooks/ko/01-custom-resources.ipynb': notebook,
  'notebooks/en/notes.txt': 'not a notebook',
});
const notebooksDir = join(root, 'notebooks');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('notebook files', () => {
  it('are found by lesson and language', () => {
    expect(hasNotebook(notebooksDir, 'en', '01-custom-resources')).toBe(true);
    expect(hasNotebook(notebooksDir, 'ko', '02-operators')).toBe(false);
    expect(notebookPath('ko', '01-custom-resources')).toBe('/notebooks/ko/01-custom-resources.ipynb');
  });

  it('are copied into the built site, notebooks only', () => {
    const out = mkdtempSync(join(tmpdir(), 'seldon-lab-out-'));
    try {
      expect(copyNotebooks(notebooksDir, out)).toBe(2);
      expect(readdirSync(join(out, 'notebooks', 'en'))).toEqual(['01-custom-resources.ipynb']);
      expect(readFileSync(join(out, 'notebooks', 'ko', '01-custom-resources.ipynb'), 'utf8')).toBe(notebook);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('may all be missing: nothing is copied and nothing fails', () => {
    const out = mkdtempSync(join(tmpdir(), 'seldon-lab-out-'));
    try {
      expect(copyNotebooks(join(root, 'no-notebooks-here'), out)).toBe(0);
      expect(existsSync(join(out, 'notebooks'))).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('serveNotebooks (dev server)', () => {
  /** The plugin's middleware on a real HTTP server; requests it passes on get 418. */
  async function request(path: string): Promise<{ status: number; type: string | null; disposition: string | null; body: string }> {
    let middleware: ((req: IncomingMessage, res: ServerResponse, next: () => void) => void) | undefined;
    const plugin = serveNotebooks(notebooksDir);
    const configure = plugin.configureServer as (server: unknown) => void;
    configure({ middlewares: { use: (fn: typeof middleware) => (middleware = fn) } });
    const server = createServer((req, res) =>
      middleware?.(req, res, () => {
        res.statusCode = 418;
        res.end();
      }),
    );
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    try {
      const { port } = server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        disposition: response.headers.get('content-disposition'),
        body: await response.text(),
      };
    } finally {
      await new Promise((done) => server.close(done));
    }
  }

  it('serves an existing notebook as a download', async () => {
    const answer = await request('/notebooks/ko/01-custom-resources.ipynb');
    expect(answer).toMatchObject({ status: 200, type: 'application/x-ipynb+json', body: notebook });
    expect(answer.disposition).toBe('attachment; filename="01-custom-resources.ipynb"');
  });

  it('answers a missing notebook with 404 and how to generate it', async () => {
    const answer = await request('/notebooks/en/07-later.ipynb');
    expect(answer.status).toBe(404);
    expect(answer.body).toContain('npm run notebooks');
  });

  it('passes on everything else, including paths that try to leave the folder', async () => {
    expect((await request('/01-custom-resources')).status).toBe(418);
    expect((await request('/notebooks/fr/01-custom-resources.ipynb')).status).toBe(418);
    expect((await request('/notebooks/en/..%2F..%2Fpackage.json')).status).toBe(418);
  });
});
