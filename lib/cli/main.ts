// SPDX-License-Identifier: Apache-2.0
// `seldon-lab <command>`: one entry point for everything the kit runs, so the same command works on a
// laptop, in CI and as a container's entry point. Each command lives beside the part it belongs to
// and is loaded only when asked for, so `seldon-lab serve` does not pay for VitePress or tslab.

export interface Command {
  summary: string;
  load: () => Promise<{ main: (argv: string[]) => Promise<number> }>;
}

export const commands: Record<string, Command> = {
  start: { summary: 'serve the course site (and the sandbox cluster when no cluster answers)', load: () => import('./start.js') },
  notebooks: { summary: 'write notebooks/<lang>/*.ipynb from lessons/', load: () => import('../course/cli/notebooks.js') },
  lesson: { summary: 'run one lesson through a tslab kernel: lesson <NN> [--lang ko]', load: () => import('../course/cli/lesson.js') },
  serve: { summary: 'serve a model over Seldon protocol v1 and V2 (the model container)', load: () => import('../server/cli/serve.js') },
  'storage-init': { summary: 'fetch model files into a folder (the init container)', load: () => import('../server/cli/storage-init.js') },
  operator: { summary: 'run the SeldonDeployment operator until SIGTERM', load: () => import('../operator/cli.js') },
  sandbox: { summary: 'run the embedded cluster (API server, kubelet, Services, gateway): sandbox [--port N] [--ingress-port N] [--kubeconfig FILE] [--data-dir DIR]', load: () => import('../sandbox/cli.js') },
  jupyter: { summary: 'open the notebooks in JupyterLab or Notebook with the tslab kernel', load: () => import('../course/cli/jupyter.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['usage: seldon-lab <command> [options]', '', 'commands:', ...rows].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    console.error(`seldon-lab: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const mod = await command.load();
  return mod.main(rest);
}
