// SPDX-License-Identifier: Apache-2.0
// How the cluster scripts talk to the person running them: one line when a step starts, one when
// it ends (with how long it took), the tool's own output indented in between, and, when a step
// fails, what went wrong and what to do next.
//
//   → Start minikube (profile seldon-lab, 2 CPUs, 4g)
//     │ 😄  [seldon-lab] minikube v1.36.0 on Debian 12
//     │ ...
//   ✓ Start minikube (48.2 s)
//
//   ✗ Build seldon-lab/operator:0.1.0 (3.1 s)
//     minikube image build failed (exit code 1): ...
//     What to do: ...

/** A failure the person can act on: `message` says what happened, `next` what to do about it. */
export class StepError extends Error {
  constructor(
    message: string,
    readonly next: string,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

export interface Reporter {
  /** a line of its own */
  line(text: string): void;
  /** a line of a tool's output, shown indented under the current step */
  detail(text: string): void;
}

export const consoleReporter: Reporter = {
  line: (text) => console.log(text),
  detail: (text) => console.log(`  │ ${text}`),
};

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Runs one step. When `fn` throws, the step is marked failed and a StepError carries the reason
 * and `next` (a StepError thrown inside keeps its own, more precise advice).
 */
export async function step<T>(reporter: Reporter, title: string, next: string, fn: () => Promise<T>): Promise<T> {
  reporter.line(`→ ${title}`);
  const started = Date.now();
  try {
    const result = await fn();
    reporter.line(`✓ ${title} (${seconds(Date.now() - started)})`);
    return result;
  } catch (error) {
    reporter.line(`✗ ${title} (${seconds(Date.now() - started)})`);
    if (error instanceof StepError) throw error;
    throw new StepError((error as Error).message ?? String(error), next);
  }
}

/** The text to print for a failed run: the reason, then what to do, each line indented. */
export function describeFailure(error: unknown): string[] {
  const indent = (text: string) => text.split('\n').map((l) => `    ${l}`);
  if (error instanceof StepError) return [...indent(error.message), '', '  What to do:', ...indent(error.next)];
  return indent((error as Error)?.stack ?? String(error));
}
