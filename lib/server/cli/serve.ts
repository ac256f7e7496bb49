// SPDX-License-Identifier: Apache-2.0
// `seldon-lab serve`: the entry lib/cli/main.ts loads for this command (see ../cli.ts).
export { serveMain as main } from '../cli.js';
