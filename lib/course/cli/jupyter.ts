// SPDX-License-Identifier: Apache-2.0
// `npm run jupyter`: open the course notebooks in JupyterLab (or the classic Notebook) with the
// kit's tslab kernel, or explain how to get Jupyter when it is not installed.
//
// The kernel needs no `tslab install` and no IPython: the kernelspec is committed in
// jupyter/kernels/tslab/, and JUPYTER_PATH=<repo>/jupyter tells Jupyter to look there.
import { spawn, spawnSync } from 'node:child_process';
import { delimiter } from 'node:path';
import { fromRoot } from '../../paths.js';

/** One way of starting Jupyter: a program and the arguments before Jupyter's own. */
export interface JupyterCommand {
  label: string;
  command: string;
  args: string[];
}

/**
 * The ways to start Jupyter, best first. `jupyter lab` finds `jupyter-lab` in Jupyter's own
 * folders even when that is not on PATH; Debian's `/usr/bin/jupyter` is named explicitly because
 * a version manager (pyenv) may put a `jupyter` on PATH that belongs to another Python.
 */
export const CANDIDATES: readonly JupyterCommand[] = [
  { label: 'JupyterLab', command: 'jupyter-lab', args: [] },
  { label: 'JupyterLab', command: 'jupyter', args: ['lab'] },
  { label: 'JupyterLab', command: '/usr/bin/jupyter', args: ['lab'] },
  { label: 'Jupyter Notebook', command: 'jupyter-notebook', args: [] },
  { label: 'Jupyter Notebook', command: 'jupyter', args: ['notebook'] },
  { label: 'Jupyter Notebook', command: '/usr/bin/jupyter', args: ['notebook'] },
];

/** The environment Jupyter runs in: the kit's kernelspec folder first on JUPYTER_PATH. */
export function jupyterEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const paths = [fromRoot('jupyter'), ...(env.JUPYTER_PATH ?? '').split(delimiter).filter(Boolean)];
  return { ...env, JUPYTER_PATH: paths.join(delimiter), SELDON_LAB_ROOT: fromRoot() };
}

/** The first candidate that answers `--version`, or undefined when Jupyter is not installed. */
export function findJupyter(env: NodeJS.ProcessEnv = process.env, candidates: readonly JupyterCommand[] = CANDIDATES): JupyterCommand | undefined {
  return candidates.find((c) => {
    const probe = spawnSync(c.command, [...c.args, '--version'], { env, stdio: 'ignore', timeout: 30_000 });
    return probe.status === 0;
  });
}

/** What to do when no Jupyter is installed: the three routes, with the commands to type. */
export function installHelp(): string {
  const kernels = fromRoot('jupyter');
  return `Jupyter is not installed, so there is nothing to open the notebooks with yet.
The notebooks are in ${fromRoot('notebooks')}, and their TypeScript kernel (tslab) is ready in
${fromRoot('jupyter', 'kernels', 'tslab')}: no \`tslab install\` and no IPython are needed.
Pick one way, then run \`npm run jupyter\` again:

  JupyterLab (recommended), with pipx or pip:
      pipx install jupyterlab
      python3 -m pip install --user jupyterlab

  The classic Notebook from Debian or Ubuntu packages:
      sudo apt-get install jupyter-notebook

  VS Code, with the Jupyter extension (ms-toolsai.jupyter) and Jupyter installed as above:
      JUPYTER_PATH=${kernels} code ${fromRoot()}
  then open a notebook in notebooks/en or notebooks/ko and choose
  Select Kernel > Jupyter Kernel > TypeScript. The extension finds the kernel through JUPYTER_PATH.

Every lesson also runs without Jupyter: \`npm run lesson -- 00\` runs one in the terminal.
`;
}

/** Where the command writes, its environment and the Jupyters it looks for; tests pass their own. */
export interface JupyterIO {
  out: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  candidates?: readonly JupyterCommand[];
}

export async function main(_argv: string[], io: JupyterIO = { out: (text) => process.stdout.write(text) }): Promise<number> {
  const env = jupyterEnv(io.env);
  const jupyter = findJupyter(env, io.candidates);
  if (!jupyter) {
    io.out(installHelp());
    return 0;
  }
  const notebooks = fromRoot('notebooks');
  io.out(`Starting ${jupyter.label} in ${notebooks} with the tslab kernel (JUPYTER_PATH=${env.JUPYTER_PATH}).\n`);
  const child = spawn(jupyter.command, jupyter.args, { cwd: notebooks, env, stdio: 'inherit' });
  // Ctrl-C reaches Jupyter too (same terminal): it asks whether to shut down, and this command
  // ends when Jupyter does, instead of leaving a server behind a prompt that has returned.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  try {
    const code = await new Promise<number>((resolve) => {
      child.once('error', (error) => {
        io.out(`Could not start ${jupyter.command}: ${error.message}\n`);
        resolve(1);
      });
      child.once('exit', (exitCode) => resolve(exitCode ?? 0));
    });
    return code;
  } finally {
    process.off('SIGINT', ignore);
  }
}
