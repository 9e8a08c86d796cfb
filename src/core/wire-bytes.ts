// Messages that arrive from a peer keep their wire bytes, and a relay sends those bytes on unchanged instead of
// rebuilding and re-encoding the message (which cost a relay about half its CPU per forwarded item). The router
// only reads routed messages; a layer that changes one builds a new object, which has no bytes to reuse.
import type { NormalizedServiceDefinition, TsProtoServiceDefinition } from 'nice-grpc';
import { encodingDefinition } from '../wire/message-encoding.ts';

const WIRE_BYTES = Symbol('oaktree.wireBytes');

/** Remembers the bytes a message was decoded from (not enumerable: a spread copy does not carry them). */
export function keepWireBytes<T extends object>(message: T, bytes: Uint8Array): T {
  Object.defineProperty(message, WIRE_BYTES, { value: bytes });
  return message;
}

export function wireBytesOf(message: unknown): Uint8Array | undefined {
  return message && typeof message === 'object' ? (message as { [WIRE_BYTES]?: Uint8Array })[WIRE_BYTES] : undefined;
}

/**
 * nice-grpc's conversion of a ts-proto service, except that responses with wire bytes are sent as they are, and a
 * client stream's requests keep theirs, so a relay forwards an upload's chunks without decoding and re-encoding them.
 */
export function relayingDefinition<D extends TsProtoServiceDefinition>(definition: D): NormalizedServiceDefinition<D> {
  const methods = encodingDefinition(definition, wireBytesOf) as Record<
    string,
    { requestStream: boolean; requestDeserialize(bytes: Uint8Array): unknown }
  >;
  for (const method of Object.values(methods)) {
    if (!method.requestStream) continue;
    const decode = method.requestDeserialize;
    method.requestDeserialize = (bytes) => keepWireBytes(decode(bytes) as object, bytes);
  }
  return methods as NormalizedServiceDefinition<D>;
}
