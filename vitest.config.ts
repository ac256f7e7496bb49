// SPDX-License-Identifier: Apache-2.0
// One vitest run covers unit tests beside the code (lib/**/x.test.ts) and the cross-cutting
// suites in test/ (every lesson as a notebook, the site, the sandbox contract).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['lib/**/*.test.ts', 'test/**/*.test.ts', 'cluster/**/*.test.ts', 'site/.vitepress/**/*.test.ts'],
    // Lessons start real kernels and servers: give them room, but never hang forever.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: run test files in parallel processes, but not more than the machine has.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
