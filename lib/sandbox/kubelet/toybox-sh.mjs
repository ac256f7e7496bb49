// SPDX-License-Identifier: Apache-2.0
// The toybox's `sh`: enough of a POSIX shell for the one-liners pod specs and the Kubernetes docs
// give busybox: lists (`;`, newline, `&&`, `||`), quoting, `$VAR`, `${VAR}`, `$?`, `$0`..`$9`,
// output redirection (`>`, `>>`), and the builtins exit, trap, cd, export and `:`. No pipes, no
// input redirection, no background jobs, no loops: a script that needs them says so and fails.
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';

/**
 * Splits a script into words and operators (`;`, newline, `&&`, `||`). A word is a list of pieces:
 * literal text, or a variable to expand when the command runs (so `$?` is current).
 */
function tokenize(script) {
  const tokens = [];
  let word = null;
  const piece = (p) => (word ??= []).push(p);
  const endWord = () => {
    if (word) tokens.push({ word });
    word = null;
  };
  const variable = (i) => {
    const rest = script.slice(i + 1);
    const m = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest) ?? /^([A-Za-z_][A-Za-z0-9_]*|[?$#@0-9])/.exec(rest);
    if (!m) {
      piece({ text: '$' });
      return i + 1;
    }
    piece({ variable: m[1] });
    return i + 1 + m[0].length;
  };
  let i = 0;
  while (i < script.length) {
    const c = script[i];
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '\n' || c === ';') {
      endWord();
      tokens.push({ op: ';' });
      i++;
    } else if (script.startsWith('&&', i) || script.startsWith('||', i)) {
      endWord();
      tokens.push({ op: script.slice(i, i + 2) });
      i += 2;
    } else if (c === '>') {
      endWord();
      const append = script[i + 1] === '>';
      tokens.push({ redirect: append ? '>>' : '>' });
      i += append ? 2 : 1;
    } else if (c === '|' || c === '&' || c === '<' || c === '`') {
      throw new Error(`'${c}' is not supported by the sandbox toybox's sh (no pipes, input redirection or background jobs)`);
    } else if (c === '#' && !word) {
      while (i < script.length && script[i] !== '\n') i++;
    } else if (c === "'") {
      const end = script.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated quoted string');
      piece({ text: script.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '"') {
      piece({ text: '' });
      i++;
      while (i < script.length && script[i] !== '"') {
        if (script[i] === '\\' && '"\\$`'.includes(script[i + 1])) {
          piece({ text: script[i + 1] });
          i += 2;
        } else if (script[i] === '$') i = variable(i);
        else piece({ text: script[i++] });
      }
      if (i >= script.length) throw new Error('unterminated quoted string');
      i++;
    } else if (c === '\\') {
      if (script[i + 1] !== '\n') piece({ text: script[i + 1] ?? '' });
      i += 2;
    } else if (c === '$') {
      i = variable(i);
    } else {
      piece({ text: c });
      i++;
    }
  }
  endWord();
  return tokens;
}

/**
 * The `sh` applet over the toybox `box`: its applets, output, error wording, and the container's
 * filesystem (hostPath, the working directory, stdout redirection).
 */
export function makeShell(box) {
  const shell = { status: 0, positional: ['sh'], exitTrap: undefined };

  function expandWord(word) {
    return word
      .map((p) => {
        if (p.text !== undefined) return p.text;
        const v = p.variable;
        if (v === '?') return String(shell.status);
        if (v === '$') return String(process.pid);
        if (v === '#') return String(shell.positional.length - 1);
        if (v === '@') return shell.positional.slice(1).join(' ');
        if (/^[0-9]$/.test(v)) return shell.positional[Number(v)] ?? '';
        return process.env[v] ?? '';
      })
      .join('');
  }

  const SIGNALS = { TERM: 'SIGTERM', INT: 'SIGINT', HUP: 'SIGHUP', QUIT: 'SIGQUIT', 15: 'SIGTERM', 2: 'SIGINT', 1: 'SIGHUP', 3: 'SIGQUIT' };
  const traps = new Map();

  async function exit(code) {
    const action = shell.exitTrap;
    shell.exitTrap = undefined;
    if (action) await runScript(action);
    process.exit(code);
  }

  const builtins = {
    async exit(args) {
      await exit(args.length ? Number(args[0]) & 255 : shell.status);
      return 0;
    },
    /** `trap '' TERM` ignores SIGTERM; `trap 'cmds' TERM` runs cmds on it; `trap - TERM` restores it. */
    async trap(args) {
      const [action, ...names] = args;
      for (const name of names) {
        if (name === 'EXIT' || name === '0') {
          shell.exitTrap = action === '-' || action === '' ? undefined : action;
          continue;
        }
        const signal = SIGNALS[name.replace(/^SIG/, '')];
        if (!signal) {
          box.err(`trap: ${name}: bad signal name\n`);
          return 1;
        }
        if (traps.has(signal)) process.off(signal, traps.get(signal));
        traps.delete(signal);
        if (action === '-') continue;
        const handler = action === '' ? () => {} : () => void runScript(action);
        traps.set(signal, handler);
        process.on(signal, handler);
      }
      return 0;
    },
    async cd(args) {
      const target = posix.resolve(box.cwd(), args[0] ?? '/');
      try {
        if (!statSync(box.hostPath(target)).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
      } catch (error) {
        box.err(`sh: cd: can't cd to ${args[0]}: ${box.why(error)}\n`);
        return 1;
      }
      box.chdir(target);
      return 0;
    },
    async export(args) {
      for (const a of args) if (a.includes('=')) process.env[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
      return 0;
    },
    async ':'() {
      return 0;
    },
  };

  /** Runs one simple command; `redirect` is `{ mode: '>' | '>>', word }` when its output goes to a file. */
  async function runCommand(words, redirect) {
    if (redirect) {
      const target = expandWord(redirect.word);
      let fd;
      try {
        fd = openSync(box.hostPath(target), redirect.mode === '>>' ? 'a' : 'w');
      } catch (error) {
        box.err(`sh: can't create ${target}: ${box.why(error)}\n`);
        return 1;
      }
      const previous = box.redirectStdout(fd);
      try {
        return await runCommand(words);
      } finally {
        box.redirectStdout(previous);
        closeSync(fd);
      }
    }
    const argv = words.map(expandWord);
    while (argv.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[0])) {
      const a = argv.shift();
      process.env[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
    }
    if (argv.length === 0) return 0;
    const [name, ...args] = argv;
    const run = builtins[name] ?? box.applets[posix.basename(name)];
    if (!run) {
      box.err(`sh: ${name}: not found\n`);
      return 127;
    }
    return run(args);
  }

  async function runScript(script) {
    let tokens;
    try {
      tokens = tokenize(script);
    } catch (error) {
      box.err(`sh: syntax error: ${error.message}\n`);
      return (shell.status = 2);
    }
    let words = [];
    let redirect;
    let pendingRedirect;
    let connector = ';';
    const flush = async () => {
      if (pendingRedirect) {
        box.err('sh: syntax error: a redirection needs a file name\n');
        shell.status = 2;
      } else if (words.length > 0) {
        const skip = (connector === '&&' && shell.status !== 0) || (connector === '||' && shell.status === 0);
        if (!skip) shell.status = await runCommand(words, redirect);
      }
      words = [];
      redirect = pendingRedirect = undefined;
    };
    for (const token of tokens) {
      if (token.redirect) pendingRedirect = token.redirect;
      else if (token.word && pendingRedirect) {
        redirect = { mode: pendingRedirect, word: token.word };
        pendingRedirect = undefined;
      } else if (token.word) words.push(token.word);
      else {
        await flush();
        connector = token.op;
      }
    }
    await flush();
    return shell.status;
  }

  const sh = async (args) => {
    let script;
    if (args[0] === '-c') {
      script = args[1] ?? '';
      shell.positional = args.length > 2 ? args.slice(2) : ['sh'];
    } else if (args.length > 0) {
      try {
        script = readFileSync(box.hostPath(args[0]), 'utf8');
      } catch (error) {
        box.err(`sh: can't open '${args[0]}': ${box.why(error)}\n`);
        return 2;
      }
      shell.positional = args;
    } else {
      // No script: read one from stdin, which is empty in a container without `stdin: true`.
      script = await new Promise((resolve) => {
        let text = '';
        process.stdin.on('data', (c) => (text += c)).on('end', () => resolve(text)).on('error', () => resolve(text));
      });
    }
    const status = await runScript(script);
    await exit(status);
    return status;
  };

  return sh;
}
