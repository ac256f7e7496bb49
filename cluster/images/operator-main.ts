// SPDX-License-Identifier: Apache-2.0
// The operator image's program: `seldon-lab operator [options]`, and nothing else.
//
// The image does not run the kit's sources through tsx, as a laptop does: operator-bundle.ts
// bundles this file, everything it imports and @kubernetes/client-node into one JavaScript file,
// which the image installs as /usr/local/bin/seldon-lab. Its command line is the same as the kit's
// CLI (so the Deployment, the sandbox's kubelet and `docker run` all say `seldon-lab operator`),
// but it knows only the one command: the image holds no other code.
import { main } from '../../lib/operator/cli.js';

const USAGE = 'usage: seldon-lab operator [options]   (this image runs only the operator; see --help)';

function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'operator') return main(rest);
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE);
    return Promise.resolve(command === undefined ? 1 : 0);
  }
  console.error(`seldon-lab: this image has only the 'operator' command, not '${command}'.\n${USAGE}`);
  return Promise.resolve(2);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`seldon-lab operator: ${(e as Error).stack ?? String(e)}`);
    process.exitCode = 1;
  },
);
