// SPDX-License-Identifier: Apache-2.0
// `npm run jupyter` without Jupyter, and the committed kernelspec: valid, and it really starts a
// kernel that works from the repository root even when started in a notebook's folder.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../paths.js';
import { TslabKernel } from '../kernel.js';
import { findJupyter, installHelp, jupyterEnv, main } from './jupyter.js';

const SPEC_DIR = fromRoot('jupyter', 'kernels', 'tslab');

describe('npm run jupyter', () => {
  it('prints how to install Jupyter, and exits 0, when none is installed', async () => {
    let printed = '';
    const code = await main([], {
      out: (text) => (printed += text),
      candidates: [
        { label: 'JupyterLab', command: '/nonexistent/jupyter-lab', args: [] },
        { label: 'JupyterLab', command: '/bin/false', args: ['lab'] },
      ],
    });
    expect(code).toBe(0);
    expect(printed).toBe(installHelp());
    expect(printed).toContain('pipx install jupyterlab');
    expect(printed).toContain('apt-get install jupyter-notebook');
    expect(printed).toContain(`JUPYTER_PATH=${fromRoot('jupyter')}`);
  });

  it('picks the first way of starting Jupyter that answers --version', () => {
    const found = findJupyter(process.env, [
      { label: 'missing', command: '/nonexistent/jupyter', args: [] },
      { label: 'broken', command: '/bin/false', args: [] },
      { label: 'works', command: '/bin/true', args: [] },
    ]);
    expect(found?.label).toBe('works');
  });

  it("puts the kit's kernelspec folder first on JUPYTER_PATH, keeping the user's", () => {
    const env = jupyterEnv({ JUPYTER_PATH: '/opt/mine' });
    expect(env.JUPYTER_PATH).toBe([fromRoot('jupyter'), '/opt/mine'].join(delimiter));
    expect(jupyterEnv({}).JUPYTER_PATH).toBe(fromRoot('jupyter'));
  });
});

describe('the committed kernelspec', () => {
  const spec = JSON.parse(readFileSync(join(SPEC_DIR, 'kernel.json'), 'utf8')) as {
    argv: string[];
    display_name: string;
    language: string;
  };
  /** What jupyter_client does with the argv before starting the kernel. */
  const substitute = (connectionFile: string) =>
    spec.argv.map((arg) => arg.replace('{resource_dir}', SPEC_DIR).replace('{connection_file}', connectionFile));

  it('runs node on files that exist, with the connection file, for TypeScript', () => {
    expect(spec.argv[0]).toBe('node');
    expect(spec.argv).toContain('{connection_file}');
    const files = substitute('/tmp/connection.json').filter((arg) => arg.startsWith(SPEC_DIR));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(existsSync(file), `${file} exists`).toBe(true);
    expect(files.some((file) => file.endsWith(join('node_modules', 'tslab', 'bin', 'tslab')))).toBe(true);
    expect(spec.language).toBe('typescript');
  });

  it('is the kernel the notebooks ask for', () => {
    for (const lang of ['en', 'ko']) {
      const dir = fromRoot('notebooks', lang);
      const notebooks = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ipynb')) : [];
      for (const name of notebooks) {
        const notebook = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { metadata: { kernelspec: { name: string } } };
        expect(notebook.metadata.kernelspec.name, `${lang}/${name}`).toBe('tslab'); // the kernelspec's folder name
      }
    }
  });

  it("starts a kernel that works from the repository root when Jupyter starts it in a notebook's folder", async () => {
    const kernel = await TslabKernel.start({
      cwd: fromRoot('notebooks', 'en'),
      env: { SELDON_LAB_ROOT: undefined },
      // `node` from PATH in Jupyter; this Node here, so the test runs on the Node under test.
      command: (file) => [process.execPath, ...substitute(file).slice(1)],
    });
    try {
      const result = await kernel.execute("import { repoRoot } from './lib/paths.js';\nconsole.log(repoRoot() === process.cwd());");
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('true\n');
    } finally {
      await kernel.shutdown();
    }
  });
});
