// SPDX-License-Identifier: Apache-2.0
// The toybox: a tiny busybox for the sandbox cluster. It is what the `busybox` and
// `seldon-lab/toybox` images run, and the `sh`, `sleep` and `cat` that exec probes and preStop
// hooks of every image call. Tests use it to make containers that crash, hang, ignore SIGTERM or
// hold a port, with the same commands one would give busybox on a real cluster:
//
//   command: [sh, -c, "echo starting; trap '' TERM; sleep 3600"]
//   command: [httpd, -f, -p, "8080", -h, /www]          (serves files; readiness probes read them)
//   command: [nc, -lk, -p, "8080"]                      (accepts connections, never answers)
//
// Applets: sh (toybox-sh.mjs: lists, quotes, variables, > and >>, exit, trap; no pipes), echo,
// sleep, cat, env, printenv, true, false, test/[, touch, rm, mkdir, ls, hostname, httpd, nc, wget.
//
// It sees the container's filesystem and network through the kubelet's contract
// (runtime-env.ts): absolute paths under a volumeMount go to that volume's folder, other absolute
// paths to the container's own folder (SELDON_LAB_ROOTFS), and servers listen on the pod's address
// (SELDON_LAB_BIND_ADDRESS). `sleep` runs on the sandbox clock (SELDON_LAB_TIME_SCALE). `env`
// does not print these four variables: they belong to the runtime, not to the container.
//
// Plain JavaScript run by plain `node`, so an exec probe starts in a few tens of milliseconds.
//
// usage: node toybox.mjs <applet> [args...]      node toybox.mjs --list
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync, writeSync, closeSync, openSync, createReadStream } from 'node:fs';
import { createServer as createHttpServer, get as httpGet } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { join, posix } from 'node:path';
import { makeShell } from './toybox-sh.mjs';

const RUNTIME_VARS = ['SELDON_LAB_BIND_ADDRESS', 'SELDON_LAB_MOUNTS', 'SELDON_LAB_ROOTFS', 'SELDON_LAB_TIME_SCALE'];
const mounts = JSON.parse(process.env.SELDON_LAB_MOUNTS || '{}');
const rootfs = process.env.SELDON_LAB_ROOTFS || '';
const bindAddress = process.env.SELDON_LAB_BIND_ADDRESS || '0.0.0.0';
const timeScale = Number(process.env.SELDON_LAB_TIME_SCALE) > 0 ? Number(process.env.SELDON_LAB_TIME_SCALE) : 1;
for (const name of RUNTIME_VARS) delete process.env[name];

// --- the container's filesystem --------------------------------------------------------------

/** The container path of a host folder (for the working directory the kubelet gave us). */
function containerPathOf(host) {
  for (const [mountPath, dir] of Object.entries(mounts)) if (host === dir || host.startsWith(dir + '/')) return posix.join(mountPath, host.slice(dir.length));
  if (rootfs && (host === rootfs || host.startsWith(rootfs + '/'))) return posix.join('/', host.slice(rootfs.length));
  return host;
}

let cwd = containerPathOf(process.cwd());

/**
 * A container path (absolute, or relative to the working directory) as a host path: the reading
 * of runtime-env.ts `hostPathFor()`, plus the container's own folder for everything else. (Plain
 * node cannot import TypeScript, hence this copy.)
 */
function hostPath(path) {
  const abs = posix.resolve(cwd, path);
  let best;
  for (const mountPath of Object.keys(mounts)) {
    if ((abs === mountPath || abs.startsWith(mountPath === '/' ? '/' : mountPath + '/')) && (!best || mountPath.length > best.length)) best = mountPath;
  }
  if (best) return join(mounts[best], abs.slice(best.length));
  return rootfs ? join(rootfs, abs) : abs;
}

/** Where applets write: the process's stdout, or a file while a `>`/`>>` redirection is in force. */
let stdoutFd = 1;
const out = (text) => writeSync(stdoutFd, typeof text === 'string' ? text : Buffer.from(text));
const err = (text) => process.stderr.write(text);

/** busybox-style error text for a failed file operation. */
function why(error) {
  return { ENOENT: 'No such file or directory', EACCES: 'Permission denied', EISDIR: 'Is a directory', ENOTDIR: 'Not a directory', EEXIST: 'File exists', ENOTEMPTY: 'Directory not empty' }[error.code] ?? error.message;
}

function flags(args, known) {
  const set = new Set();
  const rest = [];
  for (const a of args) {
    if (/^-[a-zA-Z]+$/.test(a) && [...a.slice(1)].every((c) => known.includes(c))) for (const c of a.slice(1)) set.add(c);
    else rest.push(a);
  }
  return { set, rest };
}

/** `-p 8080`, `-p 0.0.0.0:8080`: where a server listens (every address means the pod's address). */
function listenAddress(spec) {
  const [host, port] = spec.includes(':') ? [spec.slice(0, spec.lastIndexOf(':')), spec.slice(spec.lastIndexOf(':') + 1)] : ['', spec];
  return { host: !host || host === '0.0.0.0' || host === '::' ? bindAddress : host, port: Number(port) };
}

function listenError(applet, error) {
  err(`${applet}: bind: ${error.code === 'EADDRINUSE' ? 'Address already in use' : error.message}\n`);
  return 1;
}

// --- applets: each takes its arguments and resolves to an exit code ----------------------------

const applets = {
  async echo(args) {
    const newline = args[0] !== '-n';
    out(args.slice(newline ? 0 : 1).join(' ') + (newline ? '\n' : ''));
    return 0;
  },
  async sleep(args) {
    const units = { s: 1, m: 60, h: 3600, d: 86400 };
    let seconds = 0;
    for (const a of args) {
      if (a === 'inf' || a === 'infinity') seconds = Infinity;
      const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(a);
      if (!m && seconds !== Infinity) {
        err(`sleep: invalid number '${a}'\n`);
        return 1;
      }
      if (m) seconds += Number(m[1]) * units[m[2] || 's'];
    }
    if (seconds === Infinity) return new Promise(() => setInterval(() => {}, 2 ** 30));
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000 * timeScale));
    return 0;
  },
  async cat(args) {
    let status = 0;
    for (const file of args) {
      try {
        out(readFileSync(hostPath(file)));
      } catch (error) {
        err(`cat: can't open '${file}': ${why(error)}\n`);
        status = 1;
      }
    }
    return status;
  },
  async env() {
    for (const [k, v] of Object.entries(process.env)) out(`${k}=${v}\n`);
    return 0;
  },
  async printenv(args) {
    if (args.length === 0) return applets.env([]);
    let status = 0;
    for (const name of args) {
      if (process.env[name] === undefined) status = 1;
      else out(`${process.env[name]}\n`);
    }
    return status;
  },
  async true() {
    return 0;
  },
  async false() {
    return 1;
  },
  async test(args) {
    return evaluateTest(args) ? 0 : 1;
  },
  async '['(args) {
    if (args[args.length - 1] !== ']') {
      err('[: missing ]\n');
      return 2;
    }
    return evaluateTest(args.slice(0, -1)) ? 0 : 1;
  },
  async touch(args) {
    for (const file of args) {
      const path = hostPath(file);
      try {
        closeSync(openSync(path, 'a'));
        const now = new Date();
        utimesSync(path, now, now);
      } catch (error) {
        err(`touch: ${file}: ${why(error)}\n`);
        return 1;
      }
    }
    return 0;
  },
  async rm(args) {
    const { set, rest } = flags(args, 'frR');
    let status = 0;
    for (const file of rest) {
      try {
        const path = hostPath(file);
        if (statSync(path).isDirectory() && !set.has('r') && !set.has('R')) throw Object.assign(new Error(), { code: 'EISDIR' });
        rmSync(path, { recursive: true });
      } catch (error) {
        if (set.has('f') && error.code === 'ENOENT') continue;
        err(`rm: can't remove '${file}': ${why(error)}\n`);
        status = 1;
      }
    }
    return status;
  },
  async mkdir(args) {
    const { set, rest } = flags(args, 'p');
    for (const dir of rest) {
      try {
        mkdirSync(hostPath(dir), { recursive: set.has('p') });
      } catch (error) {
        err(`mkdir: can't create directory '${dir}': ${why(error)}\n`);
        return 1;
      }
    }
    return 0;
  },
  async ls(args) {
    const { set, rest } = flags(args, '1a');
    let status = 0;
    for (const target of rest.length ? rest : ['.']) {
      try {
        const path = hostPath(target);
        const names = statSync(path).isDirectory() ? readdirSync(path).filter((n) => set.has('a') || !n.startsWith('.')).sort() : [target];
        for (const n of names) out(`${n}\n`);
      } catch (error) {
        err(`ls: ${target}: ${why(error)}\n`);
        status = 1;
      }
    }
    return status;
  },
  async hostname() {
    out(`${process.env.HOSTNAME || osHostname()}\n`);
    return 0;
  },
  /** busybox httpd: serves the files under -h DIR (default: the working directory). */
  async httpd(args) {
    let home = cwd;
    let listen = '80';
    let verbose = false;
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '-p') listen = args[++i];
      else if (args[i] === '-h') home = posix.resolve(cwd, args[++i]);
      else if (args[i] === '-v' || args[i] === '-vv') verbose = true;
    }
    const { host, port } = listenAddress(listen);
    const server = createHttpServer((req, res) => {
      const path = posix.join(home, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      let file = hostPath(path);
      let status = 200;
      try {
        if (statSync(file).isDirectory()) file = join(file, 'index.html');
        statSync(file);
      } catch {
        status = 404;
      }
      if (verbose) err(`${req.socket.remoteAddress}:${req.socket.remotePort} "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status}\n`);
      if (status === 404) {
        res.writeHead(404, { 'content-type': 'text/html' }).end('<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD>\n<BODY><H1>404 Not Found</H1>\nThe requested URL was not found\n</BODY></HTML>\n');
        return;
      }
      res.writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html' : 'text/plain' });
      createReadStream(file).pipe(res);
    });
    return new Promise((resolve) => {
      server.once('error', (error) => resolve(listenError('httpd', error)));
      server.listen(port, host);
    });
  },
  /** `nc -l[k] -p PORT`: accepts connections and prints what arrives; never answers. */
  async nc(args) {
    const { set, rest } = flags(args, 'lkp');
    if (!set.has('l')) {
      err('nc: the sandbox toybox only listens (nc -l -p PORT)\n');
      return 1;
    }
    const { host, port } = listenAddress(rest[rest.length - 1] ?? '');
    return new Promise((resolve) => {
      const server = createTcpServer((socket) => {
        socket.on('data', (data) => out(data));
        socket.on('error', () => {});
        if (!set.has('k')) {
          server.close();
          socket.on('close', () => resolve(0));
        }
      });
      server.once('error', (error) => resolve(listenError('nc', error)));
      server.listen(port, host);
    });
  },
  /** `wget [-q] [-O FILE|-] [-T SECONDS] URL` */
  async wget(args) {
    let output;
    let timeout = 900;
    let url;
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '-O') output = args[++i];
      else if (args[i].startsWith('-O')) output = args[i].slice(2);
      else if (args[i] === '-T') timeout = Number(args[++i]);
      else if (args[i] === '-q' || args[i] === '-qO-') output = args[i] === '-qO-' ? '-' : output;
      else url = args[i];
    }
    if (!url) {
      err('wget: no URL given\n');
      return 1;
    }
    const target = new URL(url.includes('://') ? url : `http://${url}`);
    return new Promise((resolve) => {
      const req = httpGet(target, { timeout: timeout * 1000 }, (res) => {
        if ((res.statusCode ?? 500) >= 400) {
          err(`wget: server returned error: HTTP/1.1 ${res.statusCode} ${res.statusMessage}\n`);
          res.resume();
          resolve(1);
          return;
        }
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          if (output === '-') out(body);
          else writeFileSync(hostPath(output ?? (posix.basename(target.pathname) || 'index.html')), body);
          resolve(0);
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('download timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (error) => {
        err(error.code === 'ECONNREFUSED' ? `wget: can't connect to remote host (${target.hostname}): Connection refused\n` : `wget: ${error.message}\n`);
        resolve(1);
      });
    });
  },
};

function evaluateTest(args) {
  if (args[0] === '!') return !evaluateTest(args.slice(1));
  if (args.length === 0) return false;
  if (args.length === 1) return args[0] !== '';
  if (args.length === 2) {
    const [op, value] = args;
    if (op === '-n') return value !== '';
    if (op === '-z') return value === '';
    try {
      const st = statSync(hostPath(value));
      return op === '-e' || (op === '-f' && st.isFile()) || (op === '-d' && st.isDirectory()) || (op === '-s' && st.size > 0);
    } catch {
      return false;
    }
  }
  const [a, op, b] = args;
  const numeric = { '-eq': (x, y) => x === y, '-ne': (x, y) => x !== y, '-lt': (x, y) => x < y, '-gt': (x, y) => x > y, '-le': (x, y) => x <= y, '-ge': (x, y) => x >= y };
  if (op === '=' || op === '==') return a === b;
  if (op === '!=') return a !== b;
  if (numeric[op]) return numeric[op](Number(a), Number(b));
  return false;
}

applets.sh = makeShell({
  applets,
  out,
  err,
  why,
  hostPath,
  cwd: () => cwd,
  chdir: (dir) => (cwd = dir),
  /** sends applet output to `fd` from now on; returns where it went before */
  redirectStdout: (fd) => {
    const previous = stdoutFd;
    stdoutFd = fd;
    return previous;
  },
});

// --- main --------------------------------------------------------------------------------------

const [applet, ...args] = process.argv.slice(2);
if (applet === '--list') {
  out(Object.keys(applets).sort().join('\n') + '\n');
} else if (!applets[applet]) {
  err(`exec: "${applet}": executable file not found in $PATH\n`);
  process.exitCode = 127;
} else {
  applets[applet](args).then(
    // A finished applet ends the process, even if a trap still listens for a signal. (Servers
    // such as httpd finish only when they fail to listen, or nc when its one connection ends.)
    (code) => process.exit(code),
    (error) => {
      err(`${applet}: ${error.message}\n`);
      process.exit(1);
    },
  );
}
