// SPDX-License-Identifier: Apache-2.0
// Every error the sandbox API server returns is a `Status` object, worded and coded as the real
// kube-apiserver words them, because clients key on `reason` and `code` (client-node's ApiException,
// kubectl's messages, helm's "already exists" handling).

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'Expired'
  | 'Gone'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Unknown';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** An error that carries the Status the server must answer with. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): Status {
    // Keys in the order the apiserver writes them. Go's StatusReasonUnknown is the empty
    // string, which the JSON leaves out.
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      ...(this.reason !== 'Unknown' ? { reason: this.reason } : {}),
      ...(this.details ? { details: wireDetails(this.details) } : {}),
      code: this.code,
    };
  }
}

/**
 * StatusDetails as Go writes it: every field is `omitempty`, so the core group's `""` and an
 * absent name are left out (`{"name":"x","kind":"configmaps"}`), in Go's field order.
 */
export function wireDetails(details: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  if (details.name) out.name = details.name;
  if (details.group) out.group = details.group;
  if (details.kind) out.kind = details.kind;
  if (details.uid) out.uid = details.uid;
  if (details.causes && details.causes.length > 0) out.causes = details.causes;
  if (details.retryAfterSeconds) out.retryAfterSeconds = details.retryAfterSeconds;
  return out;
}

/** `deployments.apps "x"`: how the apiserver names a resource in messages (group omitted for core). */
export function qualifiedResource(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural;
}

export const errors = {
  notFound(plural: string, group: string, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualifiedResource(plural, group)} "${name}" not found`, {
      name,
      group,
      kind: plural,
    });
  },
  alreadyExists(plural: string, group: string, name: string): ApiError {
    return new ApiError(409, 'AlreadyExists', `${qualifiedResource(plural, group)} "${name}" already exists`, {
      name,
      group,
      kind: plural,
    });
  },
  conflict(plural: string, group: string, name: string): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(plural, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group, kind: plural },
    );
  },
  /**
   * A conflict with its own reason, e.g. `Operation cannot be fulfilled on pods/binding "x": pod x
   * is already assigned to node "sandbox"` (apierrors.NewConflict with the underlying error).
   */
  conflictBecause(plural: string, group: string, name: string, why: string): ApiError {
    return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(plural, group)} "${name}": ${why}`, { name, group, kind: plural });
  },
  /** A failed uid / resourceVersion precondition (DeleteOptions, or a uid in an update body). */
  preconditionFailed(plural: string, group: string, name: string, detail: string): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(plural, group)} "${name}": Precondition failed: ${detail}`,
      { name, group, kind: plural },
    );
  },
  /** 422 with field causes, e.g. `Deployment.apps "x" is invalid: spec.selector: Required value`. */
  invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiError {
    const qualifiedKind = group ? `${kind}.${group}` : kind;
    const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ');
    const list = causes.length > 1 ? `[${summary}]` : summary;
    return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${list}`, {
      name,
      group,
      kind,
      causes,
    });
  },
  badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  },
  /**
   * 415 for a body type the endpoint does not take. The real answer has no `details` (a client
   * library may add a cause of its own when it turns the answer into an error).
   */
  unsupportedMediaType(accepted: string[]): ApiError {
    return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
  },
  /**
   * 405. With a verb and a resource, as a handler words it (`(create customresourcedefinitions...)`);
   * without, as the router answers a method a path does not serve (GET on `bindings`), `details: {}`.
   */
  methodNotAllowed(verb?: string, what?: string): ApiError {
    const message = 'the server does not allow this method on the requested resource';
    if (verb === undefined) return new ApiError(405, 'MethodNotAllowed', message, {});
    return new ApiError(405, 'MethodNotAllowed', `${message} (${verb} ${what ?? ''})`);
  },
  /**
   * The 404 for an unknown resource inside a built-in group version (`/api/v1/foos`). An unknown
   * group version (`/apis/getambassador.io/v2/...` before its CRD exists) gets a plain-text
   * `404 page not found` instead, from the apiserver's fallback handler: see server.ts.
   */
  noResource(): ApiError {
    return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  unauthorized(): ApiError {
    return new ApiError(401, 'Unauthorized', 'Unauthorized');
  },
  expired(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  },
  tooManyRequests(retryAfterSeconds: number): ApiError {
    return new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds });
  },
  forbidden(message: string, details?: StatusDetails): ApiError {
    return new ApiError(403, 'Forbidden', message, details);
  },
  /**
   * 403 worded as apierrors.NewForbidden words it: `pods "x" is forbidden: <why>`, without the name
   * when there is none (`deployments.apps is forbidden: ...`), and `forbidden: <why>` when no
   * resource is involved (a URL path). `details` always come, empty for a path.
   */
  forbiddenOn(plural: string, group: string, name: string, why: string): ApiError {
    let message: string;
    if (!plural && !group) message = `forbidden: ${why}`;
    else if (!name) message = `${qualifiedResource(plural, group)} is forbidden: ${why}`;
    else message = `${qualifiedResource(plural, group)} ${JSON.stringify(name)} is forbidden: ${why}`;
    return new ApiError(403, 'Forbidden', message, { name, group, kind: plural });
  },
  notAcceptable(accepted: string[]): ApiError {
    return new ApiError(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
  },
  requestEntityTooLarge(limit: number): ApiError {
    return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
  },
  /** 504 Timeout, e.g. a watch or list from a resourceVersion the server has not reached. */
  timeout(message: string, details?: StatusDetails): ApiError {
    return new ApiError(504, 'Timeout', message, details);
  },
  /** A plain Go error that reached the response unchanged: code 500 and no reason. */
  unknown(message: string): ApiError {
    return new ApiError(500, 'Unknown', message);
  },
  internal(message: string): ApiError {
    return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);
  },
};
