// Messages that arrive from a peer keep their wire bytes, and a relay sends those bytes on unchanged instead of
// rebuilding and re-encoding the message (which cost a relay about half its CPU per forwarded item). The router
// only reads routed messages; a layer that changes one builds a new object, which has no bytes to reuse.
import type { NormalizedServiceDefinition, TsProtoServiceDefinition } from 'nice-grpc';

const WIRE_BYTES = Symbol('oaktree.wireBytes');

/** Remembers the bytes a message was decoded from (not enumerable: a spread copy does not carry them). */
export function keepWireBytes<T extends object>(message: T, bytes: Uint8Array): T {
  Object.defineProperty(message, WIRE_BYTES, { value: bytes });
  return message;
}

export function wireBytesOf(message: unknown): Uint8Array | undefined {
  return message && typeof message === 'object' ? (message as { [WIRE_BYTES]?: Uint8Array })[WIRE_BYTES] : undefined;
}

interface TsProtoMethodLike {
  name: string;
  requestType: {
    decode(b: Uint8Array): unknown;
    encode(m: unknown): { finish(): Uint8Array };
    fromPartial(m: unknown): unknown;
  };
  responseType: {
    decode(b: Uint8Array): unknown;
    encode(m: unknown): { finish(): Uint8Array };
    fromPartial(m: unknown): unknown;
  };
  requestStream: boolean;
  responseStream: boolean;
  options: Record<string, unknown>;
}

/** nice-grpc's own conversion of a ts-proto service, except that responses with wire bytes are sent as they are. */
export function relayingDefinition<D extends TsProtoServiceDefinition>(definition: D): NormalizedServiceDefinition<D> {
  const methods: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(definition.methods)) {
    const method = raw as unknown as TsProtoMethodLike;
    const { requestType, responseType } = method;
    methods[key] = {
      path: `/${definition.fullName}/${method.name}`,
      requestStream: method.requestStream,
      responseStream: method.responseStream,
      requestDeserialize: (bytes: Uint8Array) => requestType.decode(bytes),
      requestSerialize: (value: unknown) => requestType.encode(requestType.fromPartial(value)).finish(),
      responseDeserialize: (bytes: Uint8Array) => responseType.decode(bytes),
      responseSerialize: (value: unknown) =>
        wireBytesOf(value) ?? responseType.encode(responseType.fromPartial(value)).finish(),
      options: method.options,
    };
  }
  return methods as NormalizedServiceDefinition<D>;
}
