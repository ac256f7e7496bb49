// SPDX-License-Identifier: Apache-2.0
// Runs the model server's CLI in its own process, for tests that need a real process (signals,
// exit codes): `node --import tsx lib/server/testing/run-cli.ts serve ...`.
import { main } from '../cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
