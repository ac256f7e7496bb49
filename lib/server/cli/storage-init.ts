// SPDX-License-Identifier: Apache-2.0
// `seldon-lab storage-init <uri> <dest>`: the entry lib/cli/main.ts loads for this command (see ../cli.ts).
export { storageInitMain as main } from '../cli.js';
