// SPDX-License-Identifier: Apache-2.0
// The one error the client throws, named as in Seldon's Python client.
//
// It is thrown for mistakes in how the client is called (an unknown gateway, data that is not an
// array, a missing deployment name), never for what a server answers: HTTP errors and network
// failures come back as a SeldonClientPrediction with `success: false`.

export class SeldonClientException extends Error {
  /** As in Python, where SeldonClientException carries status_code 400. */
  readonly statusCode = 400;

  constructor(message: string) {
    super(message);
    this.name = 'SeldonClientException';
  }
}

/** A value as a learner would type it, for "(got ...)" in messages. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
