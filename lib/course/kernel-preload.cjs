// SPDX-License-Identifier: Apache-2.0
// Loaded into every tslab kernel the kit starts (`node --require`, before tslab itself): by the
// notebook runner, and by Jupyter through jupyter/kernels/tslab/kernel.json.
//
// It works around a tslab 1.0.22 bug. tslab drives TypeScript's watch compiler with a fake timer
// that holds one pending rebuild at a time, and runs that rebuild itself at the start of each cell.
// TypeScript also watches the files and folders a cell's imports touched (every package.json on the
// way through node_modules, and the folders where an import was looked for). When one of those
// changes (an `npm install`, an editor saving a file, a test writing one), TypeScript schedules a
// second kind of rebuild on its own, and from then on every cell fails with "Unexpected pending
// rebuildTimer" until the kernel is restarted.
//
// So the kernel does not watch the disk at all; the cells themselves still tell TypeScript about
// every change to their own code. The price is small and usual for a notebook: after editing a file
// under lib/ or installing a package, restart the kernel to pick it up.
/* global require -- a CommonJS file, run by plain node */
const tslabFolder = require.resolve('tslab/package.json').replace(/package\.json$/, '');
// tslab's private copy of TypeScript: the one whose `sys` its compiler uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a preload runs before any ESM loader
const ts = require(require.resolve('@tslab/typescript-for-tslab', { paths: [tslabFolder] }));

const noWatcher = { close() {} };
ts.sys.watchFile = () => noWatcher;
ts.sys.watchDirectory = () => noWatcher;
