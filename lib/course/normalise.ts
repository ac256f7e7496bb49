// SPDX-License-Identifier: Apache-2.0
// What may differ between two honest runs of a lesson, and how an expected output is compared.
//
// A lesson's ```output block is what the cell printed when the author ran it. The next run talks to a
// new cluster: objects get new uids and resourceVersions, pods get new random name suffixes, servers
// listen on new ports, and everything has a new timestamp. This file is the one place that says which
// differences do not count. Each rule is a row of `RULES`, applied in order to both the expected and
// the actual text, so whatever a rule replaces reads the same on both sides. A rule must match only
// what varies: `replicas: 3` and `cpu: 500m` are content, and the tests check that they stay.
import { createTwoFilesPatch } from 'diff';

export interface NormaliseRule {
  name: string;
  /** why this text varies from run to run */
  why: string;
  /** a global RegExp */
  pattern: RegExp;
  replacement: string;
}

/**
 * The alphabet of Kubernetes' random name parts (`rand.String`, `rand.SafeEncodeString`): no vowels
 * and no 0, 1, 3, so that generated names never spell words. This is what keeps the name rules from
 * eating real names such as `seldon-system` or `iris-model`.
 */
const K8S_RAND = '[bcdfghjklmnpqrstvwxz2456789]';
const UNIT = '(?:ns|µs|us|ms|s|m|h)';
const NUMBER = '\\d+(?:\\.\\d+)?';

export const RULES: readonly NormaliseRule[] = [
  {
    name: 'line-endings',
    why: 'Windows and some servers end lines with CRLF',
    pattern: /\r+(?=\n)|\r+$/g,
    replacement: '',
  },
  {
    name: 'carriage-return',
    why: 'progress meters redraw a line after a carriage return; a terminal shows only the last drawing',
    pattern: /[^\n]*\r/g,
    replacement: '',
  },
  {
    name: 'ansi',
    why: 'colour and cursor codes appear when a tool believes it writes to a terminal',
    // ESC [ ... final byte (colours, cursor moves), and ESC ] ... BEL or ESC \ (titles, links)
    // eslint-disable-next-line no-control-regex
    pattern: /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g,
    replacement: '',
  },
  {
    name: 'uid',
    why: 'every object gets a new uid (a UUID); Seldon-Puid request ids are UUIDs too',
    pattern: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
    replacement: '<uid>',
  },
  {
    name: 'timestamp',
    why: 'creationTimestamp, status conditions and log lines carry the time of the run (RFC 3339 / ISO 8601)',
    pattern: /\b\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2}\b)?/g,
    replacement: '<time>',
  },
  {
    name: 'http-date',
    why: 'the Date header of an HTTP response (curl -i) is the time of the request',
    pattern: /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT\b/g,
    replacement: '<time>',
  },
  {
    name: 'resource-version',
    why: 'the API server counts every write; the number depends on everything that ran before',
    pattern: /(resourceVersion["']?\s*[:=]\s*["']?)\d+/g,
    replacement: '$1<rv>',
  },
  {
    name: 'pod-name',
    why: 'a Deployment names its pods <name>-<pod-template-hash>-<random 5>',
    pattern: new RegExp(`(?<=[a-z0-9])-${K8S_RAND}{6,10}-${K8S_RAND}{5}\\b`, 'g'),
    replacement: '-<hash>-<id>',
  },
  {
    name: 'replicaset-name',
    why: 'a Deployment names its ReplicaSets <name>-<pod-template-hash>',
    pattern: new RegExp(`(?<=[a-z0-9])-${K8S_RAND}{6,10}\\b(?!-)`, 'g'),
    replacement: '-<hash>',
  },
  {
    name: 'generated-name',
    why: 'metadata.generateName adds 5 random characters (`https` is the one word they could spell)',
    pattern: new RegExp(`(?<=[a-z0-9])-(?!https\\b)${K8S_RAND}{5}\\b(?!-)`, 'g'),
    replacement: '-<id>',
  },
  {
    name: 'address',
    why: 'the sandbox gives each Service a loopback address 127.x.y.z; clusters use private ranges',
    pattern: /\b(?:127(?:\.\d{1,3}){3}|10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2})\b/g,
    replacement: '<ip>',
  },
  {
    name: 'port',
    why: 'local servers listen on a free port chosen at start',
    pattern: /(<ip>|\blocalhost|\[::1\]):\d{1,5}\b/g,
    replacement: '$1:<port>',
  },
  {
    name: 'node-port',
    why: 'a NodePort Service gets a random port in 30000-32767 (kubectl: 80:31234/TCP)',
    pattern: /\b(\d{1,5}):3\d{4}\/(TCP|UDP|SCTP)\b/g,
    replacement: '$1:<port>/$2',
  },
  {
    name: 'duration',
    why: 'how long something took (12ms, 1.5s) and kubectl AGE columns (5s, 3m2s) depend on the machine',
    // Not inside a word or number (v1.5s), and never a CPU quantity (cpu: 500m).
    pattern: new RegExp(
      `(?<![\\w.])(?<!cpu["']?\\s*[:=]\\s*["']?)${NUMBER}${UNIT}(?:${NUMBER}${UNIT})*(?![\\w]|\\.\\d)`,
      'g',
    ),
    replacement: '<duration>',
  },
  {
    name: 'trailing-space',
    why: 'tables pad their last column; editors strip what is left in the lesson',
    pattern: /[ \t]+$/gm,
    replacement: '',
  },
  {
    name: 'final-newlines',
    why: 'a printed line ends with a newline; an output block in Markdown does not',
    pattern: /\n+$/,
    replacement: '',
  },
];

/** `text` with every rule applied in order. */
export function normalise(text: string): string {
  return RULES.reduce((t, rule) => t.replace(rule.pattern, rule.replacement), text);
}

export type OutputComparison = { ok: true } | { ok: false; diff: string };

/** A line of the expected output holding only `...` stands for any number of lines (also none). */
const WILDCARD = '...';

/**
 * Compares what a cell printed with its expected output, after `normalise()` on both sides. On a
 * mismatch `diff` is a unified diff (expected -> actual) in which the lines that a `...` stood for
 * are shown as context, so only real differences are marked.
 */
export function compareOutput(expected: string, actual: string): OutputComparison {
  const want = normalise(expected).split('\n');
  const got = normalise(actual).split('\n');
  const { cost, aligned } = align(want, got);
  if (cost === 0) return { ok: true };
  const patch = createTwoFilesPatch(
    'expected (normalised)',
    'actual (normalised)',
    aligned.join('\n') + '\n',
    got.join('\n') + '\n',
    undefined,
    undefined,
    { context: 3 },
  );
  // Drop the `====` banner line; keep the ---/+++ header and the hunks.
  return { ok: false, diff: patch.replace(/^=+\n/, '') };
}

/**
 * Edit distance (in lines: added, removed or changed) between the expected lines, with wildcards,
 * and the actual lines, where a wildcard absorbs actual lines for free. Also returns the expected text with each wildcard replaced by the
 * lines it absorbed, which is what the diff is drawn from.
 */
function align(want: string[], got: string[]): { cost: number; aligned: string[] } {
  const n = want.length;
  const m = got.length;
  const width = m + 1;
  // cost[i * width + j]: edits needed to match want[i..] with got[j..]
  const cost = new Uint32Array((n + 1) * width);
  const isWild = want.map((l) => l.trim() === WILDCARD);
  for (let i = n; i >= 0; i--) {
    for (let j = m; j >= 0; j--) {
      const at = i * width + j;
      if (i === n) cost[at] = m - j;
      else if (isWild[i]) cost[at] = j === m ? cost[at + width] : Math.min(cost[at + width], cost[at + 1]);
      else if (j === m) cost[at] = 1 + cost[at + width];
      else {
        const diagonal = (want[i] === got[j] ? 0 : 1) + cost[at + width + 1];
        cost[at] = Math.min(diagonal, 1 + cost[at + width], 1 + cost[at + 1]);
      }
    }
  }

  const aligned: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n) {
    const at = i * width + j;
    if (isWild[i]) {
      // End the wildcard as soon as that is as good as going on, so that the lines after it are
      // paired with actual lines (and a changed line shows as changed, not as absorbed).
      if (cost[at + width] === cost[at] || j === m) i++;
      else aligned.push(got[j++]);
    } else if (j < m && cost[at] === (want[i] === got[j] ? 0 : 1) + cost[at + width + 1]) {
      aligned.push(want[i++]); // the same line, or a changed one: the diff pairs them
      j++;
    } else if (j < m && cost[at] === 1 + cost[at + 1]) {
      j++; // a line only in the actual output: the diff shows it as added
    } else {
      aligned.push(want[i++]); // a line only in the expected output
    }
  }
  return { cost: cost[0], aligned };
}
