// SPDX-License-Identifier: Apache-2.0
// The kernel guard: a tiny process between a kernel's owner and the kernel, so that the kernel can
// never outlive its owner.
//
// A Node process that is killed with SIGKILL (or crashes, or is stopped by a test runner) runs no
// cleanup code, so it cannot shut its kernel down itself. But the operating system always closes
// its end of every pipe. The owner starts this guard with a pipe on the guard's stdin and never
// writes to it; when that pipe reaches end-of-file, the owner is gone, and the guard kills the
// kernel and removes its connection file (which holds the signing key).
//
// It is plain JavaScript run by plain `node` (no TypeScript loader), so it starts in milliseconds.
//
// usage: node kernel-guard.mjs <connection-dir> <command> [args...]
//   fd 0 (stdin): the lifeline from the owner
//   fd 1, fd 2:   passed straight to the kernel
//   fd 3:         JSON lines to the owner: {"event":"started","pid":N} then {"event":"exit",...}
import { spawn } from 'node:child_process';
import { rmSync, writeSync } from 'node:fs';

const [connectionDir, command, ...args] = process.argv.slice(2);

/** Tells the owner something; the owner may already be gone, which is fine. */
function report(event) {
  try {
    writeSync(3, JSON.stringify(event) + '\n');
  } catch {
    // EPIPE or EBADF: nobody is listening any more.
  }
}

if (!connectionDir || !command) {
  report({ event: 'error', message: 'usage: kernel-guard.mjs <connection-dir> <command> [args...]' });
  process.exit(2);
}

const kernel = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });

function removeConnectionFile() {
  rmSync(connectionDir, { recursive: true, force: true });
}

kernel.on('spawn', () => report({ event: 'started', pid: kernel.pid }));

kernel.on('error', (error) => {
  report({ event: 'error', message: `could not start ${command}: ${error.message}` });
  removeConnectionFile();
  process.exit(1);
});

kernel.on('exit', (code, signal) => {
  removeConnectionFile();
  report({ event: 'exit', code, signal });
  process.exit(0);
});

/**
 * SIGKILL, not SIGTERM: once the owner is gone nothing in the kernel is worth saving, and a cell
 * stuck in a loop, or one that installed its own SIGTERM handler, cannot block SIGKILL.
 */
function killKernel() {
  if (kernel.exitCode === null && kernel.signalCode === null) kernel.kill('SIGKILL');
}

// The lifeline: end-of-file (or an error) on stdin means the owner has exited, however it exited.
process.stdin.on('end', killKernel);
process.stdin.on('error', killKernel);
process.stdin.resume();

// Someone stopping the guard itself takes the kernel with it.
process.on('SIGTERM', killKernel);
process.on('SIGHUP', killKernel);
// Interrupts are for the kernel (the owner signals it directly); the guard ignores them.
process.on('SIGINT', () => {});
