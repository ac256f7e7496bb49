// SPDX-License-Identifier: Apache-2.0
// Kubernetes' `$(VAR)` references in `env[].value`, `command` and `args`.
//
// The kubelet, not a shell, expands them (k8s.io/kubernetes third_party/forked/golang/expansion):
//   $(NAME)   the variable's value, if NAME is defined; otherwise left as written, `$(NAME)`
//   $$        a literal `$` (so `$$(NAME)` is the text `$(NAME)`)
//   $x        any other `$` stays as it is
// Shell syntax (`$NAME`, `${NAME}`) is not touched: that is for a shell inside the container.

export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      i += 1;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        // An unclosed reference is kept as written.
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = name === '' ? undefined : lookup(name);
      out += value ?? input.slice(i, close + 1);
      i = close + 1;
    } else {
      out += c + next;
      i += 2;
    }
  }
  return out;
}
