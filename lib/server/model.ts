// SPDX-License-Identifier: Apache-2.0
// The contract between the model server and the models it serves.
//
// It is Seldon's language-wrapper idea in TypeScript: a model is any object with `predict(X, names,
// meta)`, and optionally `load()`, `health()`, `metadata()`, `sendFeedback()` and `classNames()`.
// The prepackaged runtimes (scikit-learn, XGBoost) are models of this shape too, so the protocol
// layer never knows which kind it serves.

/** A nested numeric array as it arrives in `data.ndarray` (rows of features for tabular models). */
export type NDArray = number[] | number[][] | NDArrayNested;
export type NDArrayNested = Array<number | string | boolean | null | NDArrayNested>;

/** The `meta` object of a SeldonMessage. */
export interface SeldonMeta {
  puid?: string;
  tags?: Record<string, unknown>;
  routing?: Record<string, number>;
  requestPath?: Record<string, string>;
  metrics?: Array<{ key: string; type: 'COUNTER' | 'GAUGE' | 'TIMER'; value: number; tags?: Record<string, string> }>;
}

/**
 * What `predict` may return, as in Seldon's Python wrapper: a numeric array (sent back in the
 * request's container type, `ndarray` or `tensor`), a string (`strData`), bytes (`binData`) or a
 * plain object (`jsonData`). `null`/`undefined` is Seldon's "Unknown data type returned as payload".
 */
export type ModelOutput = NDArray | string | Uint8Array | Record<string, unknown> | null | undefined;

/** The V2 (Open Inference Protocol) metadata of a model. */
export interface ModelMetadata {
  name: string;
  versions?: string[];
  platform?: string;
  inputs?: Array<{ name: string; datatype: string; shape: number[] }>;
  outputs?: Array<{ name: string; datatype: string; shape: number[] }>;
  custom?: Record<string, unknown>;
}

// #region seldon-model
/** A model the server can serve. Only `predict` is required. */
export interface SeldonModel {
  /** Called once before the server reports ready; download or parse files here. */
  load?(): void | Promise<void>;
  predict(X: NDArray, names: string[], meta?: SeldonMeta): ModelOutput | Promise<ModelOutput>;
  /** Names of the output columns; the server uses `t:0..t:n-1` when absent. */
  classNames?(): string[];
  /** Custom metrics for this response (`meta.metrics`), as Seldon's `metrics()` method. */
  metrics?(): SeldonMeta['metrics'] | undefined;
  /** Tags merged into the response's `meta.tags`, as Seldon's `tags()` method. */
  tags?(): Record<string, unknown> | undefined;
  /** Extra readiness check; throw or return false when not healthy. */
  health?(): boolean | Promise<boolean>;
  metadata?(): Partial<ModelMetadata> | Promise<Partial<ModelMetadata>>;
  sendFeedback?(
    features: NDArray,
    names: string[],
    reward: number,
    truth: NDArray | undefined,
    routing?: number,
  ): ModelOutput | Promise<ModelOutput>;
}
// #endregion seldon-model

/** The `method` parameter of Seldon's SKLEARN_SERVER. */
export type PredictMethod = 'predict_proba' | 'predict' | 'decision_function';

/**
 * An error the protocol layer turns into Seldon's error body:
 * `{"status":{"code":-1,"info":<message>,"reason":<reason>,"status":1}}` with `httpStatus`.
 */
export class MicroserviceError extends Error {
  constructor(
    message: string,
    readonly httpStatus = 400,
    readonly reason = 'MICROSERVICE_BAD_DATA',
  ) {
    super(message);
    this.name = 'MicroserviceError';
  }
}
