// SPDX-License-Identifier: Apache-2.0
// The JSONPath subset a CRD's additionalPrinterColumns use: `.status.state`,
// `.spec.containers[0].image`, `.metadata.labels['app.kubernetes.io/name']`, `.items[*].name` and
// filters such as `.status.conditions[?(@.type=="Ready")].status`. Evaluated as Kubernetes'
// client-go jsonpath evaluates it for printer columns: a list of matches, missing keys skipped.

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'filter'; path: string[]; op: '==' | '!=' | 'exists'; value?: unknown };

/** Split a path such as `.a.b[0]['c.d'][?(@.x=="y")]` into steps; throws on anything else. */
export function parseJsonPath(expression: string): Step[] {
  let p = expression.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  if (p.startsWith('$')) p = p.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < p.length) {
    if (p[i] === '.') {
      i++;
      const m = /^([^.[\]]+)/.exec(p.slice(i));
      if (!m) throw new Error(`unrecognized JSONPath ${JSON.stringify(expression)}: expected a field name at ${i}`);
      steps.push(m[1] === '*' ? { kind: 'wildcard' } : { kind: 'field', name: m[1] });
      i += m[1].length;
    } else if (p[i] === '[') {
      const close = p.indexOf(']', i);
      if (close < 0) throw new Error(`unrecognized JSONPath ${JSON.stringify(expression)}: unclosed '['`);
      const inner = p.slice(i + 1, close).trim();
      i = close + 1;
      if (inner === '*') steps.push({ kind: 'wildcard' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push(parseFilter(inner.slice(2, -1), expression));
      else throw new Error(`unrecognized JSONPath ${JSON.stringify(expression)}: unsupported [${inner}]`);
    } else {
      throw new Error(`unrecognized JSONPath ${JSON.stringify(expression)}: unexpected ${JSON.stringify(p[i])}`);
    }
  }
  return steps;
}

function parseFilter(text: string, expression: string): Step {
  const m = /^@((?:\.[\w-]+)+)\s*(?:(==|!=)\s*(.+))?$/.exec(text.trim());
  if (!m) throw new Error(`unrecognized JSONPath ${JSON.stringify(expression)}: unsupported filter ${text}`);
  const path = m[1].split('.').slice(1);
  if (!m[2]) return { kind: 'filter', path, op: 'exists' };
  const raw = m[3].trim();
  const value = /^'.*'$/.test(raw) ? raw.slice(1, -1) : JSON.parse(raw);
  return { kind: 'filter', path, op: m[2] as '==' | '!=', value };
}

function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'object' && value !== null) return Object.values(value);
  return [];
}

function at(value: unknown, path: string[]): unknown {
  let v = value;
  for (const k of path) v = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** Every value `expression` selects in `root` (empty when nothing matches). */
export function evaluateJsonPath(root: unknown, expression: string): unknown[] {
  let current: unknown[] = [root];
  for (const step of parseJsonPath(expression)) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.kind === 'field') {
        if (typeof v === 'object' && v !== null && !Array.isArray(v) && step.name in v) next.push((v as Record<string, unknown>)[step.name]);
      } else if (step.kind === 'index') {
        if (Array.isArray(v)) {
          const i = step.index < 0 ? v.length + step.index : step.index;
          if (i >= 0 && i < v.length) next.push(v[i]);
        }
      } else if (step.kind === 'wildcard') {
        next.push(...children(v));
      } else {
        for (const item of Array.isArray(v) ? v : [v]) {
          const x = at(item, step.path);
          const keep = step.op === 'exists' ? x !== undefined : step.op === '==' ? x === step.value : x !== undefined && x !== step.value;
          if (keep) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}
