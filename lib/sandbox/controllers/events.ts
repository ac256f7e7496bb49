// SPDX-License-Identifier: Apache-2.0
// Kubernetes Events from the sandbox's controllers: the lines `kubectl describe` prints under
// "Events:" ("Scaled up replica set web-5d4f8b7c9 from 0 to 3", "Created pod: web-5d4f8b7c9-x2kqz").
// They are how a controller explains itself to a human, on a real cluster and here alike.
//
// Recording is best effort, as in client-go's event recorder: a failed Event write (the namespace
// is being deleted, the server is busy) is dropped, never retried, and never fails a reconcile.
import type { ApiHandle } from '../apiserver/api.js';
import type { KubeObject } from '../apiserver/types.js';
import { now } from './objects.js';

const EVENTS = { group: '', version: 'v1', plural: 'events' };

export class EventRecorder {
  constructor(
    private readonly api: ApiHandle,
    /** who reports, e.g. `deployment-controller` (kubectl shows it in the "From" column) */
    private readonly component: string,
  ) {}

  normal(obj: KubeObject, reason: string, message: string): void {
    this.record(obj, 'Normal', reason, message);
  }

  warning(obj: KubeObject, reason: string, message: string): void {
    this.record(obj, 'Warning', reason, message);
  }

  private record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const time = now();
    const { name, namespace, uid, resourceVersion } = obj.metadata;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      // client-go names events `<object>.<unix nanoseconds in hex>`.
      metadata: { name: `${name}.${(BigInt(Date.now()) * BigInt(1_000_000) + BigInt(sequence++ % 1_000_000)).toString(16)}`, namespace: namespace ?? 'default' },
      involvedObject: { kind: obj.kind, namespace, name, uid, apiVersion: obj.apiVersion, resourceVersion },
      reason,
      message,
      source: { component: this.component },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: this.component,
      reportingInstance: '',
    };
    this.api.create(EVENTS, event).catch(() => {
      // Best effort: see the comment at the top.
    });
  }
}

let sequence = 0;
