// Encoding protobuf messages into one reused buffer. ts-proto's `encode(message)` starts a new BinaryWriter at 128
// bytes and doubles it as the message grows: for a 400-byte Server that is four allocations and copies, two thirds
// of the cost of encoding it (measured: 14 µs per ListServersResponse with a new writer, 5 µs with a reused one).
// `finish()` hands out a copy of exactly the message's bytes and resets the writer, and encoding is synchronous, so
// one writer per process serves every call; only its grown buffer is kept.
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import type { NormalizedServiceDefinition, TsProtoServiceDefinition } from 'nice-grpc';

interface MessageType<T = unknown> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(bytes: Uint8Array): T;
  fromPartial(message: unknown): T;
}

/** A writer whose buffer grew past this after a large message (an image chunk) is not kept. */
const KEEP_WRITER_BYTES = 4 * 1024 * 1024;
let writer = new BinaryWriter();

/** `type.encode(message).finish()`, without growing a new buffer for every message. */
export function encodeMessage<T>(type: MessageType<T>, message: T): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = type.encode(message, writer).finish();
  } catch (error) {
    writer = new BinaryWriter(); // a throw mid-message leaves the writer's position and forks behind
    throw error;
  }
  if (bytes.length > KEEP_WRITER_BYTES) writer = new BinaryWriter();
  return bytes;
}

interface TsProtoMethodLike {
  name: string;
  requestType: MessageType;
  responseType: MessageType;
  requestStream: boolean;
  responseStream: boolean;
  options: Record<string, unknown>;
}

/**
 * nice-grpc's own conversion of a ts-proto service (every message through `fromPartial`, so a partial object is
 * sent with its defaults), encoding with the reused writer; `sendAsIs` may give a message's bytes instead.
 */
export function encodingDefinition<D extends TsProtoServiceDefinition>(
  definition: D,
  sendAsIs: (message: unknown) => Uint8Array | undefined = () => undefined,
): NormalizedServiceDefinition<D> {
  const methods: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(definition.methods)) {
    const method = raw as unknown as TsProtoMethodLike;
    const { requestType, responseType } = method;
    methods[key] = {
      path: `/${definition.fullName}/${method.name}`,
      requestStream: method.requestStream,
      responseStream: method.responseStream,
      requestDeserialize: (bytes: Uint8Array) => requestType.decode(bytes),
      requestSerialize: (value: unknown) =>
        sendAsIs(value) ?? encodeMessage(requestType, requestType.fromPartial(value)),
      responseDeserialize: (bytes: Uint8Array) => responseType.decode(bytes),
      responseSerialize: (value: unknown) =>
        sendAsIs(value) ?? encodeMessage(responseType, responseType.fromPartial(value)),
      options: method.options,
    };
  }
  return methods as NormalizedServiceDefinition<D>;
}
