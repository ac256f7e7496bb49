// SPDX-License-Identifier: Apache-2.0
// GET /api/v1.0/doc/: the API documentation page the seed tutorial opens, as Seldon serves it:
// a Swagger UI page (the `swagger-ui-dist` package's files) over our OpenAPI document.
//
// Only a fixed list of files is served, read from the package folder by name, so no request path
// ever reaches the file system. Files are read once and kept in memory.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Handler, Reply } from '../context.js';
import { JSON_TYPE } from '../context.js';
import { fromRoot } from '../../paths.js';
import { seldonOpenApi } from './seldon.js';

export const DOC_PATH = '/api/v1.0/doc';

/** The swagger-ui-dist files the page uses, with their content types. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

// Relative URLs only: the page also works under the gateway's /seldon/<ns>/<name>/ prefix.
const INDEX_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Seldon model server API</title>
  <link rel="stylesheet" href="./swagger-ui.css">
  <link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="./favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="./swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: './seldon.json',
      dom_id: '#swagger-ui',
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis],
      layout: 'BaseLayout',
    });
  </script>
</body>
</html>
`;

const cache = new Map<string, Buffer>();

/** The folder of the installed swagger-ui-dist package. */
export function swaggerUiDir(): string {
  let base: string;
  try {
    base = fromRoot('package.json');
  } catch {
    base = join(process.cwd(), 'package.json');
  }
  return dirname(createRequire(base).resolve('swagger-ui-dist/package.json'));
}

function asset(name: string): Buffer {
  let data = cache.get(name);
  if (!data) {
    data = readFileSync(join(swaggerUiDir(), name));
    cache.set(name, data);
  }
  return data;
}

let openApiText: string | undefined;

/** The documentation routes: the page, its assets and the OpenAPI document. */
export function resolveDoc(path: string): Handler | undefined {
  if (path === DOC_PATH) {
    // Flask redirects a folder path without its slash; a relative Location keeps the gateway prefix.
    return (): Reply => ({ status: 301, body: '', contentType: 'text/plain; charset=utf-8', headers: { Location: 'doc/' } });
  }
  if (path === '/seldon.json' || path === `${DOC_PATH}/seldon.json`) {
    return (): Reply => ({ status: 200, body: (openApiText ??= JSON.stringify(seldonOpenApi(), null, 2)), contentType: JSON_TYPE });
  }
  if (path === `${DOC_PATH}/` || path === `${DOC_PATH}/index.html`) {
    return (): Reply => ({ status: 200, body: INDEX_HTML, contentType: 'text/html; charset=utf-8' });
  }
  const name = path.startsWith(`${DOC_PATH}/`) ? path.slice(DOC_PATH.length + 1) : undefined;
  if (name !== undefined && Object.prototype.hasOwnProperty.call(ASSETS, name)) {
    return (): Reply => ({ status: 200, body: asset(name), contentType: ASSETS[name], headers: { 'Cache-Control': 'public, max-age=3600' } });
  }
  return undefined;
}
