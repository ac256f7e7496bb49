// SPDX-License-Identifier: Apache-2.0
// The lessons' notebooks as downloads on the site.
//
// `npm run notebooks` writes notebooks/<lang>/NN-slug.ipynb beside the lessons. The site links each
// lesson to its notebook and serves the file at /notebooks/<lang>/NN-slug.ipynb: copied into the
// built site after a build, and served straight from the folder by the dev server. A lesson whose
// notebook has not been generated yet shows a note instead of a dead link; it never breaks the build.
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { LANGS, type Lang } from '../../lib/course/types.js';

/** The URL path of a lesson's notebook on the site (without the site's base). */
export function notebookPath(lang: Lang, slug: string): string {
  return `/notebooks/${lang}/${slug}.ipynb`;
}

/** Does `notebooksDir` hold the lesson's notebook? */
export function hasNotebook(notebooksDir: string, lang: Lang, slug: string): boolean {
  const file = join(notebooksDir, lang, `${slug}.ipynb`);
  return existsSync(file) && statSync(file).isFile();
}

/** Copies every `notebooks/<lang>/*.ipynb` into `<outDir>/notebooks/<lang>/`; returns how many. */
export function copyNotebooks(notebooksDir: string, outDir: string): number {
  let copied = 0;
  for (const lang of LANGS) {
    const from = join(notebooksDir, lang);
    if (!existsSync(from)) continue;
    const files = readdirSync(from).filter((name) => name.endsWith('.ipynb'));
    if (files.length === 0) continue;
    const to = join(outDir, 'notebooks', lang);
    mkdirSync(to, { recursive: true });
    for (const name of files) {
      copyFileSync(join(from, name), join(to, name));
      copied++;
    }
  }
  return copied;
}

/** A Vite plugin for the dev server: answers /notebooks/<lang>/<name>.ipynb from the notebooks folder. */
export function serveNotebooks(notebooksDir: string, base = '/'): Plugin {
  const route = new RegExp(`^${base.replace(/\/$/, '')}/notebooks/(${LANGS.join('|')})/([\\w.-]+\\.ipynb)$`);
  return {
    name: 'seldon-lab:notebooks',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const match = route.exec((req.url ?? '').split('?')[0]);
        if (!match) return next();
        const file = join(notebooksDir, match[1], match[2]);
        if (!existsSync(file)) {
          res.statusCode = 404;
          res.setHeader('Content-Type', 'text/plain; charset=utf-8');
          res.end(`No notebook ${match[1]}/${match[2]} yet: run \`npm run notebooks\` to generate it.\n`);
          return;
        }
        res.setHeader('Content-Type', 'application/x-ipynb+json');
        res.setHeader('Content-Disposition', `attachment; filename="${match[2]}"`);
        createReadStream(file).pipe(res);
      });
    },
  };
}
