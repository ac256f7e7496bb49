// SPDX-License-Identifier: Apache-2.0
// Lets `tsc` type-check theme/index.ts, which imports single-file components. The components
// themselves are checked by Vue's compiler when VitePress builds the site.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
