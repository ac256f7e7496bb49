// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { CommandError, commandLine, lastLines, processRunner, shellQuote } from './exec.js';
import { describeFailure, step, StepError, type Reporter } from './progress.js';

function recorder() {
  const lines: string[] = [];
  const reporter: Reporter = { line: (t) => lines.push(t), detail: (t) => lines.push(`  │ ${t}`) };
  return { lines, reporter };
}

describe('printing commands', () => {
  it('quotes only what a shell would misread', () => {
    expect(commandLine('helm', ['upgrade', '--install', 'x', '--set=a=b,c=d'])).toBe('helm upgrade --install x --set=a=b,c=d');
    expect(shellQuote('{"data":1}')).toBe(`'{"data":1}'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(lastLines('a\n\nb\nc\n', 2)).toBe('b\nc');
  });
});

describe('processRunner', () => {
  const node = process.execPath;

  it('shows the output live under the step and returns it', async () => {
    const { lines, reporter } = recorder();
    const r = await processRunner(reporter)(node, ['-e', 'console.log("one"); console.error("two")']);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'one', stderr: 'two' });
    expect(lines).toEqual(expect.arrayContaining(['  │ one', '  │ two']));
  });

  it('keeps quiet when asked, and feeds standard input', async () => {
    const { lines, reporter } = recorder();
    const r = await processRunner(reporter)(node, ['-e', 'process.stdin.pipe(process.stdout)'], { show: false, input: 'hello' });
    expect(r.stdout).toBe('hello');
    expect(lines).toEqual([]);
  });

  it('turns a failure into an error with the command and its last lines', async () => {
    const run = processRunner(recorder().reporter);
    const error = await run(node, ['-e', 'console.error("no space left"); process.exit(3)']).catch((e) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain('failed (exit code 3):\nno space left');
    // An exit code that is an answer, not a failure:
    expect((await run(node, ['-e', 'process.exit(7)'], { okExitCodes: [7] })).exitCode).toBe(7);
    const missing = await run('/nonexistent/minikube', ['start']).catch((e) => e);
    expect(missing.message).toContain('could not start: the program was not found');
  });
});

describe('step', () => {
  it('marks the start and the end of a step', async () => {
    const { lines, reporter } = recorder();
    expect(await step(reporter, 'Do it', 'advice', async () => 42)).toBe(42);
    expect(lines[0]).toBe('→ Do it');
    expect(lines[1]).toMatch(/^✓ Do it \(\d+\.\d s\)$/);
  });

  it('attaches the step\'s advice to an error, but keeps a more precise one', async () => {
    const { lines, reporter } = recorder();
    const plain = await step(reporter, 'A', 'try this', async () => { throw new Error('broke'); }).catch((e) => e);
    expect(plain).toBeInstanceOf(StepError);
    expect(plain.next).toBe('try this');
    expect(lines[1]).toMatch(/^✗ A/);
    const precise = await step(reporter, 'B', 'generic', async () => { throw new StepError('x', 'specific'); }).catch((e) => e);
    expect(precise.next).toBe('specific');
    expect(describeFailure(precise)).toEqual(['    x', '', '  What to do:', '    specific']);
  });
});
