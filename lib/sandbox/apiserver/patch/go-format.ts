// SPDX-License-Identifier: Apache-2.0
// Go's `%v` and `%#v` renderings of decoded JSON values. Some API server messages embed a value
// printed by Go's fmt package ("map: map[image:nginx] does not contain declared merge key: name",
// "Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`"),
// so the sandbox prints values the same way.

/** `%v` of a value decoded from JSON into interface{}: map[k:v ...] with sorted keys, [a b]. */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${k}:${goValue((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}

/** Go's %q of a string (a double-quoted Go string literal; JSON escaping is the same for text). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** `%#v` of a map[string]string: map[string]string{"a":"1", "b":"2"}, or map[string]string(nil). */
export function goStringMap(m: Record<string, string> | undefined | null): string {
  if (!m) return 'map[string]string(nil)';
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(String(m[k]))}`);
  return `map[string]string{${entries.join(', ')}}`;
}

interface LabelSelectorRequirement {
  key?: string;
  operator?: string;
  values?: string[];
}

/** `%#v` of a metav1.LabelSelector, as 1.30 servers print it in "field is immutable" errors. */
export function goLabelSelector(selector: { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] } | undefined): string {
  const labels = goStringMap(selector?.matchLabels);
  const exprs = selector?.matchExpressions;
  const expressions = exprs
    ? `[]v1.LabelSelectorRequirement{${exprs
        .map((e) => {
          const values = e.values ? `[]string{${e.values.map(goQuote).join(', ')}}` : '[]string(nil)';
          return `v1.LabelSelectorRequirement{Key:${goQuote(e.key ?? '')}, Operator:${goQuote(e.operator ?? '')}, Values:${values}}`;
        })
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${expressions}}`;
}
