// SPDX-License-Identifier: Apache-2.0
// How the API server's table printers write ages, label sets and selectors into table cells:
// apimachinery's duration.HumanDuration ("45s", "3m2s", "2d3h"), labels.FormatLabels
// ("app=web,tier=front") and the label selector's String() ("app=web,env in (a,b)").

/** duration.HumanDuration: about two significant figures, as `kubectl get` shows ages. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24) % 365;
    const years = Math.trunc(hours / 24 / 365);
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** translateTimestampSince: the age of a timestamp, "<unknown>" when there is none. */
export function since(timestamp: unknown, now: Date): string {
  if (typeof timestamp !== 'string' || timestamp === '') return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

/** labels.FormatLabels: sorted k=v pairs, or "<none>". */
export function formatLabels(labels: unknown): string {
  if (typeof labels !== 'object' || labels === null) return '<none>';
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${String((labels as Record<string, unknown>)[k])}`).join(',');
}

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

/** A LabelSelector as selector.String() writes it: requirements sorted by key. */
export function selectorString(selector: unknown): string {
  if (typeof selector !== 'object' || selector === null) return '';
  const s = selector as Selector;
  const parts: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) parts.push({ key: k, text: `${k}=${v}` });
  for (const e of s.matchExpressions ?? []) {
    const key = e.key ?? '';
    const values = [...(e.values ?? [])].sort().join(',');
    const text =
      e.operator === 'In' ? `${key} in (${values})`
      : e.operator === 'NotIn' ? `${key} notin (${values})`
      : e.operator === 'DoesNotExist' ? `!${key}`
      : key;
    parts.push({ key, text });
  }
  return parts
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((p) => p.text)
    .join(',');
}

/** metav1.FormatLabelSelector: the selector, or "<none>" when it selects everything. */
export function formatLabelSelector(selector: unknown): string {
  return selectorString(selector) || '<none>';
}
