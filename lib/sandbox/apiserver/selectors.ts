// SPDX-License-Identifier: Apache-2.0
// Label and field selectors, parsed with Kubernetes' own grammar (k8s.io/apimachinery
// pkg/labels/selector.go and pkg/fields/selector.go), because `kubectl get -l`, informers and the
// garbage collector all send them and expect the same matches and the same refusals.
//
//   label selector:  app=web,tier!=db  env in (prod,staging)  !canary  version>2  team
//   field selector:  metadata.name=iris,status.phase!=Running   (only =, == and !=)
//
// Bad selectors become 400 BadRequest answers; they never match everything by accident.
import { errors } from './status.js';

export type LabelOperator = 'Exists' | 'DoesNotExist' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** A parsed label selector; an empty one matches everything. */
export interface LabelSelector {
  requirements: LabelRequirement[];
  matches(labels: Record<string, string> | undefined): boolean;
  toString(): string;
}

// --- label selector lexer: identifiers and the symbols = == != ! ( ) , > < --------------------

type Token =
  | { kind: 'id'; text: string }
  | { kind: 'sym'; text: '=' | '==' | '!=' | '!' | '(' | ')' | ',' | '>' | '<' }
  | { kind: 'end'; text: '' };

const SYMBOL_CHARS = new Set(['=', '!', '(', ')', ',', '>', '<']);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (SYMBOL_CHARS.has(c)) {
      const two = input.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        tokens.push({ kind: 'sym', text: two });
        i += 2;
      } else {
        tokens.push({ kind: 'sym', text: c as '=' });
        i++;
      }
    } else {
      let j = i;
      while (j < input.length && !SYMBOL_CHARS.has(input[j]) && !/\s/.test(input[j])) j++;
      tokens.push({ kind: 'id', text: input.slice(i, j) });
      i = j;
    }
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

// --- names and values: the same checks as apimachinery's validation ---------------------------

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Problems with a label key (`prefix/name`), worded as apimachinery words them; empty when valid. */
export function labelKeyProblems(key: string): string[] {
  const slash = key.indexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : ['', key];
  const problems: string[] = [];
  if (slash >= 0) {
    if (prefix.length === 0) problems.push('prefix part must be non-empty');
    else if (prefix.length > 253) problems.push('prefix part must be no more than 253 characters');
    else if (!DNS1123_SUBDOMAIN.test(prefix)) {
      problems.push("prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    }
  }
  if (name.length === 0) problems.push('name part must be non-empty');
  else if (name.length > 63) problems.push('name part must be no more than 63 characters');
  else if (!LABEL_NAME.test(name)) {
    problems.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  }
  return problems;
}

/** Problems with a label value (may be empty); empty when valid. */
export function labelValueProblems(value: string): string[] {
  if (value === '') return [];
  if (value.length > 63) return ['must be no more than 63 characters'];
  if (!LABEL_NAME.test(value)) {
    return ["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"];
  }
  return [];
}

// --- label selector parser -----------------------------------------------------------------------

class LabelParser {
  private pos = 0;
  constructor(private readonly tokens: Token[], private readonly source: string) {}

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    return this.tokens[this.pos++];
  }

  private fail(message: string): never {
    throw errors.badRequest(`unable to parse requirement: ${message}`);
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    if (this.peek().kind === 'end') return requirements;
    for (;;) {
      requirements.push(this.requirement());
      const t = this.next();
      if (t.kind === 'end') return requirements;
      if (!(t.kind === 'sym' && t.text === ',')) this.fail(`found '${t.text}', expected: ',' or 'end of string'`);
      if (this.peek().kind === 'end') this.fail("found '', expected: identifier after ','");
    }
  }

  private requirement(): LabelRequirement {
    let t = this.next();
    if (t.kind === 'sym' && t.text === '!') {
      t = this.next();
      if (t.kind !== 'id') this.fail(`found '${t.text}', expected: identifier after '!'`);
      return this.checked({ key: t.text, operator: 'DoesNotExist', values: [] });
    }
    if (t.kind !== 'id') this.fail(`found '${t.text}', expected: !, identifier, or 'end of string'`);
    const key = t.text;
    const op = this.peek();
    if (op.kind === 'end' || (op.kind === 'sym' && op.text === ',')) return this.checked({ key, operator: 'Exists', values: [] });
    this.next();
    if (op.kind === 'id' && (op.text === 'in' || op.text === 'notin')) {
      return this.checked({ key, operator: op.text, values: this.valueSet() });
    }
    if (op.kind === 'sym' && (op.text === '=' || op.text === '==' || op.text === '!=')) {
      return this.checked({ key, operator: op.text === '!=' ? '!=' : '=', values: [this.singleValue()] });
    }
    if (op.kind === 'sym' && (op.text === '>' || op.text === '<')) {
      return this.checked({ key, operator: op.text === '>' ? 'gt' : 'lt', values: [this.singleValue()] });
    }
    return this.fail(`found '${op.text}', expected: in, notin, =, ==, !=, gt, lt`);
  }

  /** A value after =, == or !=; an empty value (`a=`) is allowed. */
  private singleValue(): string {
    const t = this.peek();
    if (t.kind === 'id') {
      this.next();
      return t.text;
    }
    if (t.kind === 'end' || (t.kind === 'sym' && t.text === ',')) return '';
    return this.fail(`found '${t.text}', expected: identifier`);
  }

  /** `(a,b,)` after in / notin. */
  private valueSet(): string[] {
    const open = this.next();
    if (!(open.kind === 'sym' && open.text === '(')) this.fail(`found '${open.text}', expected:'('`);
    const values: string[] = [];
    let expectValue = true;
    for (;;) {
      const t = this.next();
      if (t.kind === 'sym' && t.text === ')') {
        if (expectValue && values.length > 0) values.push('');
        return values;
      }
      if (t.kind === 'id' && expectValue) {
        values.push(t.text);
        expectValue = false;
      } else if (t.kind === 'sym' && t.text === ',') {
        if (expectValue) values.push('');
        expectValue = true;
      } else {
        this.fail(`found '${t.text}', expected: ',', ')' or identifier`);
      }
    }
  }

  private checked(r: LabelRequirement): LabelRequirement {
    const keyProblems = labelKeyProblems(r.key);
    if (keyProblems.length > 0) this.fail(`key: Invalid value: "${r.key}": ${keyProblems.join('; ')}`);
    if ((r.operator === 'in' || r.operator === 'notin') && r.values.length === 0) {
      this.fail(`values: Invalid value: "${this.source}": for 'in', 'notin' operators, values set can't be empty`);
    }
    if (r.operator === 'gt' || r.operator === 'lt') {
      if (!/^-?\d+$/.test(r.values[0])) this.fail(`values[0]: Invalid value: "${r.values[0]}": for 'Gt', 'Lt' operators, the value must be an integer`);
    } else {
      for (const v of r.values) {
        const problems = labelValueProblems(v);
        if (problems.length > 0) this.fail(`values[0][${r.key}]: Invalid value: "${v}": ${problems.join('; ')}`);
      }
    }
    return r;
  }
}

function matchesRequirement(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case '=':
    case 'in':
      return has && r.values.includes(value);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value);
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value)) return false;
      const [a, b] = [BigInt(value), BigInt(r.values[0])];
      return r.operator === 'gt' ? a > b : a < b;
    }
  }
}

function requirementText(r: LabelRequirement): string {
  switch (r.operator) {
    case 'Exists': return r.key;
    case 'DoesNotExist': return `!${r.key}`;
    case '=': return `${r.key}=${r.values[0]}`;
    case '!=': return `${r.key}!=${r.values[0]}`;
    case 'in': return `${r.key} in (${r.values.join(',')})`;
    case 'notin': return `${r.key} notin (${r.values.join(',')})`;
    case 'gt': return `${r.key}>${r.values[0]}`;
    case 'lt': return `${r.key}<${r.values[0]}`;
  }
}

function labelSelectorOf(requirements: LabelRequirement[]): LabelSelector {
  return {
    requirements,
    matches: (labels) => requirements.every((r) => matchesRequirement(r, labels ?? {})),
    toString: () => requirements.map(requirementText).join(','),
  };
}

/** Parses `?labelSelector=`; throws a 400 ApiError for a selector Kubernetes would refuse. */
export function parseLabelSelector(input: string | undefined): LabelSelector {
  if (!input || input.trim() === '') return labelSelectorOf([]);
  return labelSelectorOf(new LabelParser(lex(input), input).parse());
}

/** The structured form used in objects (`spec.selector` of a Deployment, Service selectors are plain maps). */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** `metav1.LabelSelectorAsSelector`: the structured selector, as a selector. */
export function labelSelectorFromSpec(spec: LabelSelectorSpec): LabelSelector {
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(spec.matchLabels ?? {})) requirements.push({ key, operator: '=', values: [value] });
  for (const e of spec.matchExpressions ?? []) {
    const operator = ({ In: 'in', NotIn: 'notin', Exists: 'Exists', DoesNotExist: 'DoesNotExist' } as const)[e.operator];
    if (!operator) throw errors.badRequest(`"${e.operator}" is not a valid label selector operator`);
    requirements.push({ key: e.key, operator, values: [...(e.values ?? [])].sort() });
  }
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return labelSelectorOf(requirements);
}

// --- field selectors ---------------------------------------------------------------------------

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  requirements: FieldRequirement[];
  matches(fields: Record<string, string>): boolean;
}

/** Splits on `sep` where it is not escaped with a backslash. */
function splitUnescaped(input: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < input.length; i++) {
    if (input[i] === '\\' && i + 1 < input.length) {
      current += input[i] + input[i + 1];
      i++;
    } else if (input[i] === sep) {
      parts.push(current);
      current = '';
    } else {
      current += input[i];
    }
  }
  parts.push(current);
  return parts;
}

function unescapeFieldValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\') {
      const n = value[i + 1];
      if (n !== '\\' && n !== ',' && n !== '=') throw errors.badRequest(`invalid field selector: invalid escape sequence: \\${n ?? ''}`);
      out += n;
      i++;
    } else if (value[i] === ',' || value[i] === '=') {
      throw errors.badRequest(`invalid field selector: unescaped ${value[i]} in value: ${value}`);
    } else {
      out += value[i];
    }
  }
  return out;
}

/**
 * Parses `?fieldSelector=`. `supported` lists the fields the resource type can select on
 * (`metadata.name` and `metadata.namespace` everywhere, a few more per built-in type); anything
 * else is the real server's 400 `field label not supported`.
 */
export function parseFieldSelector(input: string | undefined, supported: readonly string[]): FieldSelector {
  const requirements: FieldRequirement[] = [];
  if (input && input.trim() !== '') {
    for (const term of splitUnescaped(input, ',')) {
      const match = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
      if (!match) throw errors.badRequest(`invalid field selector: invalid selector: '${input}'; can't understand '${term}'`);
      const field = match[1].trim();
      if (!supported.includes(field)) throw errors.badRequest(`field label not supported: ${field}`);
      requirements.push({ field, operator: match[2] === '!=' ? '!=' : '=', value: unescapeFieldValue(match[3]) });
    }
  }
  return {
    requirements,
    matches: (fields) => requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '=')),
  };
}
