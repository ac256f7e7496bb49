// SPDX-License-Identifier: Apache-2.0
// Seldon's prediction.proto as data: field names, numbers and types of each message.
//
// The Python client holds protobuf objects, and two things it prints or sends depend on the proto
// types rather than on the JSON: the text format of a request (`number_value: 1.0`, fields in
// field-number order, map keys sorted) and the JSON body (`1.0` for a double, `1` for an int32,
// defaults left out). Both walk these tables (proto-text.ts, wire.ts). Only the fields this kit
// supports are listed: no `tftensor` and no `customData` (protobuf Any).

export type FieldType =
  | { kind: 'int32' }
  | { kind: 'double' }
  | { kind: 'float' }
  | { kind: 'string' }
  | { kind: 'bytes' }
  | { kind: 'enum'; names: string[] }
  | { kind: 'message'; message: MessageType }
  /** google.protobuf.Value: any JSON value. */
  | { kind: 'value' }
  /** google.protobuf.ListValue: a JSON array (the `ndarray`). */
  | { kind: 'listValue' }
  /** map<string, V>; `value` is V. */
  | { kind: 'map'; value: FieldType };

export interface FieldDef {
  name: string;
  number: number;
  type: FieldType;
  repeated?: boolean;
  /** Member of a oneof: present when set, even to a default like `""`. */
  oneof?: boolean;
}

export interface MessageType {
  /** The protobuf full name, used in error messages as protobuf words them. */
  fullName: string;
  /** In field-number order, the order protobuf prints and serialises them. */
  fields: FieldDef[];
}

const int32: FieldType = { kind: 'int32' };
const string: FieldType = { kind: 'string' };

export const Status: MessageType = {
  fullName: 'seldon.protos.Status',
  fields: [
    { name: 'code', number: 1, type: int32 },
    { name: 'info', number: 2, type: string },
    { name: 'reason', number: 3, type: string },
    { name: 'status', number: 4, type: { kind: 'enum', names: ['SUCCESS', 'FAILURE'] } },
  ],
};

export const Tensor: MessageType = {
  fullName: 'seldon.protos.Tensor',
  fields: [
    { name: 'shape', number: 1, type: int32, repeated: true },
    { name: 'values', number: 2, type: { kind: 'double' }, repeated: true },
  ],
};

export const Metric: MessageType = {
  fullName: 'seldon.protos.Metric',
  fields: [
    { name: 'key', number: 1, type: string },
    { name: 'type', number: 2, type: { kind: 'enum', names: ['COUNTER', 'GAUGE', 'TIMER'] } },
    { name: 'value', number: 3, type: { kind: 'float' } },
    { name: 'tags', number: 4, type: { kind: 'map', value: string } },
  ],
};

export const Meta: MessageType = {
  fullName: 'seldon.protos.Meta',
  fields: [
    { name: 'puid', number: 1, type: string },
    { name: 'tags', number: 2, type: { kind: 'map', value: { kind: 'value' } } },
    { name: 'routing', number: 3, type: { kind: 'map', value: int32 } },
    { name: 'requestPath', number: 4, type: { kind: 'map', value: string } },
    { name: 'metrics', number: 5, type: { kind: 'message', message: Metric }, repeated: true },
  ],
};

export const DefaultData: MessageType = {
  fullName: 'seldon.protos.DefaultData',
  fields: [
    { name: 'names', number: 1, type: string, repeated: true },
    { name: 'tensor', number: 2, type: { kind: 'message', message: Tensor }, oneof: true },
    { name: 'ndarray', number: 3, type: { kind: 'listValue' }, oneof: true },
  ],
};

export const SeldonMessage: MessageType = {
  fullName: 'seldon.protos.SeldonMessage',
  fields: [
    { name: 'status', number: 1, type: { kind: 'message', message: Status } },
    { name: 'meta', number: 2, type: { kind: 'message', message: Meta } },
    { name: 'data', number: 3, type: { kind: 'message', message: DefaultData }, oneof: true },
    { name: 'binData', number: 4, type: { kind: 'bytes' }, oneof: true },
    { name: 'strData', number: 5, type: string, oneof: true },
    { name: 'jsonData', number: 6, type: { kind: 'value' }, oneof: true },
  ],
};

export const Feedback: MessageType = {
  fullName: 'seldon.protos.Feedback',
  fields: [
    { name: 'request', number: 1, type: { kind: 'message', message: SeldonMessage } },
    { name: 'response', number: 2, type: { kind: 'message', message: SeldonMessage } },
    { name: 'reward', number: 3, type: { kind: 'float' } },
    { name: 'truth', number: 4, type: { kind: 'message', message: SeldonMessage } },
  ],
};

export const SeldonMessageList: MessageType = {
  fullName: 'seldon.protos.SeldonMessageList',
  fields: [{ name: 'seldonMessages', number: 1, type: { kind: 'message', message: SeldonMessage }, repeated: true }],
};
