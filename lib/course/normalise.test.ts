// SPDX-License-Identifier: Apache-2.0
// Normalisation rules (each with what it must change and what it must leave alone) and the
// comparison of expected with actual output.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareOutput, normalise, RULES } from './normalise.js';

/** For every rule: [input, normalised] pairs it must produce, and text it must keep as it is. */
const EXAMPLES: Record<string, { changes: [string, string][]; keeps: string[] }> = {
  'line-endings': {
    changes: [
      ['a\r\nb\r\n', 'a\nb'],
      ['last line\r', 'last line'],
    ],
    keeps: ['a\nb'],
  },
  'carriage-return': {
    changes: [
      ['downloading  10%\rdownloading 100%\ndone', 'downloading 100%\ndone'],
      ['a\rb\rc', 'c'],
    ],
    keeps: ['a\nb', 'no return here'],
  },
  ansi: {
    changes: [
      ['\u001b[32mRunning\u001b[0m', 'Running'],
      ['\u001b[1;31merror\u001b[39;49m: x', 'error: x'],
      ['\u001b]8;;http://x\u0007link\u001b]8;;\u0007', 'link'],
      ['\u001b[2K\u001b[1Gdone', 'done'],
    ],
    keeps: ['[1;31 is not a colour without ESC', 'status: [Available]'],
  },
  uid: {
    changes: [
      ['uid: 3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'uid: <uid>'],
      ['"puid":"A0B1C2D3-E4F5-4a6b-8c9d-0e1f2a3b4c5d"', '"puid":"<uid>"'],
    ],
    keeps: ['machinelearning.seldon.io/v1', 'sha256:3f2504e04f8941d39a0c0305e82c3301', 'id: 3f2504e0-4f89'],
  },
  timestamp: {
    changes: [
      ['creationTimestamp: "2026-11-26T06:26:00Z"', 'creationTimestamp: "<time>"'],
      ['lastTransitionTime: 2026-11-26T06:26:00.123456+09:00', 'lastTransitionTime: <time>'],
      ['I1126 log at 2026-11-26 06:26:00,123 started', 'I1126 log at <time> started'],
      ['2026/11/26 06:26:00 serving', '<time> serving'],
    ],
    keeps: ['version 2026.11', 'ratio 10:30', 'gs://seldon-models/v1.11.0-dev/sklearn/iris'],
  },
  'http-date': {
    changes: [['Date: Thu, 26 Nov 2026 06:26:00 GMT', 'Date: <time>']],
    keeps: ['Content-Type: application/json'],
  },
  'resource-version': {
    changes: [
      ['resourceVersion: "1042"', 'resourceVersion: "<rv>"'],
      ['{"resourceVersion":"7","continue":""}', '{"resourceVersion":"<rv>","continue":""}'],
      ['resourceVersion=12', 'resourceVersion=<rv>'],
    ],
    keeps: ['generation: 3', 'observedGeneration: 2', 'replicas: 3'],
  },
  'pod-name': {
    changes: [
      ['iris-model-default-0-classifier-7d9f8c6b5-x2x7k   1/1     Running', 'iris-model-default-0-classifier-<hash>-<id>   1/1     Running'],
      ['pod/seldon-controller-manager-5c9b47d6f8-9zq4m', 'pod/seldon-controller-manager-<hash>-<id>'],
    ],
    keeps: ['seldon-system', 'iris-model-default', 'sklearn-iris'],
  },
  'replicaset-name': {
    changes: [['replicaset.apps/iris-7d9f8c6b5 created', 'replicaset.apps/iris-<hash> created']],
    keeps: ['seldon-controller-manager', 'seldon-webhook-service'],
  },
  'generated-name': {
    changes: [
      ['job/sdep-init-x2x7k', 'job/sdep-init-<id>'],
      ['name: iris-b4c5d', 'name: iris-<id>'],
    ],
    keeps: ['ambassador-https', 'iris-model', 'port-name: http', 'seldon-system', 'x-24'],
  },
  address: {
    changes: [
      ['address: 127.4.12.9', 'address: <ip>'],
      ['clusterIP: 10.96.132.7', 'clusterIP: <ip>'],
      ['minikube ip: 192.168.49.2', 'minikube ip: <ip>'],
      ['172.17.0.3', '<ip>'],
    ],
    keeps: ['8.8.8.8', '1.11.0', 'v1.30.0', '172.32.0.1', 'seldonio/sklearnserver:1.11.0'],
  },
  port: {
    changes: [
      ['http://127.0.0.1:41234/seldon/seldon/iris/', 'http://<ip>:<port>/seldon/seldon/iris/'],
      ['listening on localhost:8000', 'listening on localhost:<port>'],
      ['[::1]:9000', '[::1]:<port>'],
    ],
    keeps: ['t:0', 'seldonio/sklearnserver:1.11.0', 'example.com:443', 'ratio 3:2'],
  },
  'node-port': {
    changes: [['iris   NodePort   <none>   80:31234/TCP   <duration>', 'iris   NodePort   <none>   80:<port>/TCP   <duration>']],
    keeps: ['9000/TCP', '80:8000/TCP'],
  },
  duration: {
    changes: [
      ['took 12ms', 'took <duration>'],
      ['took 1.5s.', 'took <duration>.'],
      ['iris-model   1/1   Running   0   5s', 'iris-model   1/1   Running   0   <duration>'],
      ['AGE 3m2s', 'AGE <duration>'],
      ['elapsed 1h2m3.5s', 'elapsed <duration>'],
      ['(850µs)', '(<duration>)'],
    ],
    keeps: [
      'replicas: 3',
      'cpu: 500m',
      '"cpu":"100m"',
      'k8s',
      'v1.5s',
      'names: ["t:0","t:1","t:2"]',
      '0.995633441507447',
      'python3',
      'ttl 30 seconds',
      'sha 1a2b3c',
    ],
  },
  'trailing-space': {
    changes: [
      ['NAME   READY   \nx      1/1     ', 'NAME   READY\nx      1/1'],
      ['tab\t', 'tab'],
    ],
    keeps: ['  indented', 'a  b'],
  },
  'final-newlines': {
    changes: [['done\n\n', 'done']],
    keeps: ['\nleading', 'a\n\nb'],
  },
};

describe('normalisation rules', () => {
  it('every rule has examples here, and every example names a rule', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(RULES.map((r) => r.name).sort());
  });

  it('every rule says why it exists and is global where it must be', () => {
    for (const rule of RULES) {
      expect(rule.why.length, rule.name).toBeGreaterThan(10);
      if (rule.name !== 'final-newlines') expect(rule.pattern.global, rule.name).toBe(true);
    }
  });

  for (const rule of RULES) {
    const { changes, keeps } = EXAMPLES[rule.name] ?? { changes: [], keeps: [] };
    describe(rule.name, () => {
      it.each(changes)('changes %j', (input, output) => {
        expect(normalise(input)).toBe(output);
      });
      it.each(keeps)('keeps %j', (text) => {
        // Each rule on its own must leave it alone, and so must the whole table.
        expect(text.replace(rule.pattern, rule.replacement)).toBe(text);
        expect(normalise(text)).toBe(text);
      });
    });
  }

  it('is idempotent', () => {
    for (const { changes } of Object.values(EXAMPLES)) {
      for (const [input] of changes) expect(normalise(normalise(input))).toBe(normalise(input));
    }
  });
});

describe('compareOutput', () => {
  it('accepts outputs that differ only in what normalisation removes', () => {
    const expected = [
      'NAME                                   READY   STATUS    AGE',
      'iris-default-0-classifier-7d9f8c6b5-x2x7k   1/1     Running   12s',
      'uid: 3f2504e0-4f89-41d3-9a0c-0305e82c3301',
    ].join('\n');
    const actual = [
      'NAME                                   READY   STATUS    AGE   ',
      'iris-default-0-classifier-5c9b47d6f8-9zq4m   1/1     Running   3m2s',
      'uid: 0e1f2a3b-4c5d-4a6b-8c9d-a0b1c2d3e4f5',
      '',
    ].join('\r\n');
    expect(compareOutput(expected, actual)).toEqual({ ok: true });
  });

  it('fails on a real difference with a unified diff of the normalised text', () => {
    const result = compareOutput('replicas: 3\nstate: Available', 'replicas: 2\nstate: Available\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diff).toContain('--- expected (normalised)');
    expect(result.diff).toContain('+++ actual (normalised)');
    expect(result.diff).toContain('-replicas: 3');
    expect(result.diff).toContain('+replicas: 2');
    expect(result.diff).toContain(' state: Available');
  });

  it('lets a line of ... match any number of lines, also none', () => {
    const expected = 'start\n...\nend';
    expect(compareOutput(expected, 'start\nend')).toEqual({ ok: true });
    expect(compareOutput(expected, 'start\none\nend')).toEqual({ ok: true });
    expect(compareOutput(expected, 'start\n1\n2\n3\n4\nend\n')).toEqual({ ok: true });
    expect(compareOutput('...', '')).toEqual({ ok: true });
    expect(compareOutput('...\nlast', 'a\nb\nlast')).toEqual({ ok: true });
    expect(compareOutput('  ...  ', 'x')).toEqual({ ok: true });
  });

  it('still demands the lines around a ...', () => {
    expect(compareOutput('start\n...\nend', 'start\nmiddle').ok).toBe(false);
    expect(compareOutput('start\n...\nend', 'begin\nmiddle\nend').ok).toBe(false);
    // `...` inside a line is literal text, not a wildcard
    expect(compareOutput('loading...', 'loading 42%').ok).toBe(false);
  });

  it('shows the lines a ... stood for as context, so only the real difference is marked', () => {
    const result = compareOutput('header\n...\nstate: Available', 'header\nline 1\nline 2\nstate: Failed');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const marked = result.diff.split('\n').filter((l) => /^[-+][^-+]/.test(l));
    expect(marked).toEqual(['-state: Available', '+state: Failed']);
    expect(result.diff).toContain(' line 2');
  });

  it('reports a missing last line and extra lines', () => {
    const missing = compareOutput('a\nb', 'a');
    expect(missing.ok === false && missing.diff).toContain('-b');
    const extra = compareOutput('a', 'a\nsurprise');
    expect(extra.ok === false && extra.diff).toContain('+surprise');
  });
});

describe('compareOutput properties', () => {
  const text = fc.array(fc.constantFrom('a', 'b', 'NAME   READY', '...', 'x: 1', '', '  '), { maxLength: 12 }).map((l) => l.join('\n'));

  it('any output matches itself', () => {
    fc.assert(fc.property(text, (t) => compareOutput(t, t).ok));
  });

  it('an output with an extra, real line does not match', () => {
    fc.assert(
      fc.property(text, fc.nat(), (t, at) => {
        const lines = t.split('\n').filter((l) => l.trim() !== '...');
        const withExtra = [...lines];
        withExtra.splice(at % (lines.length + 1), 0, 'surprise: 42');
        expect(compareOutput(lines.join('\n'), withExtra.join('\n')).ok).toBe(false);
      }),
    );
  });
});
