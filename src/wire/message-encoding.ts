// How oaktree turns messages into bytes, for the node and the SDK alike (the bottom layer: it imports only the
// protobuf runtime and nice-grpc's types).
//
// Small messages go through one reused writer. ts-proto's `encode(message)` starts a new BinaryWriter at 128 bytes
// and doubles it as the message grows: for a 400-byte Server that is four allocations and copies, two thirds of the
// cost of encoding it (measured: 14 µs per ListServersResponse with a new writer, 5 µs with a reused one).
// `finish()` hands out a copy of exactly the message's bytes and resets the writer, and encoding is synchronous, so
// one writer per process serves every call; only its grown buffer is kept.
//
// Chunks of a byte stream (image and object transfers) skip the writer: one exact allocation holds tag, length and
// payload. New large allocations are what a chunk costs (page faults on fresh memory, measured at 0.3–1.5 ms per MiB
// on this machine against ~0.05 ms for the copy itself), and the writer path made several per chunk (its growth
// to 2 MiB, `finish()`'s copy, nice-grpc's `Buffer.from`).
import { Buffer } from 'node:buffer';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import type { NormalizedServiceDefinition, TsProtoServiceDefinition } from 'nice-grpc';

interface MessageType<T = unknown> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(bytes: Uint8Array): T;
  fromPartial(message: unknown): T;
}

/** A writer whose buffer grew past this after a large message is not kept. */
const KEEP_WRITER_BYTES = 4 * 1024 * 1024;
/** Chunks from this size on are encoded on their own; smaller ones are cheaper through the reused writer. */
const OWN_BUFFER_CHUNK_BYTES = 64 * 1024;
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

/** The one shape every byte stream of the contract shares: `oneof part { ...; bytes chunk = N; ... }`. */
interface ChunkMessage {
  part?: { $case?: string; value?: unknown };
}

function chunkOf(message: unknown): Uint8Array | undefined {
  const part = (message as ChunkMessage | undefined)?.part;
  return part?.$case === 'chunk' && part.value instanceof Uint8Array ? part.value : undefined;
}

/**
 * The tag a message type writes before its chunk's length, learned from the type's own encoder (so the field number
 * is never written down twice); undefined for a type that has no chunk, or has fields beside its `part` (encoding
 * only the chunk would drop them).
 */
export function chunkTagOf(type: MessageType): Uint8Array | undefined {
  if (!chunkTags.has(type)) chunkTags.set(type, learnChunkTag(type));
  return chunkTags.get(type);
}

/** Each type's chunk tag, learned once (a relay builds decoders per call). */
const chunkTags = new WeakMap<MessageType, Uint8Array | undefined>();

function learnChunkTag(type: MessageType): Uint8Array | undefined {
  if (Object.keys(type.fromPartial({}) as object).join() !== 'part') return undefined;
  const probe = type.encode(type.fromPartial({ part: { $case: 'chunk', value: new Uint8Array([0xa5]) } })).finish();
  // A one-byte chunk encodes as tag, length 1, the byte.
  if (probe.length < 3 || probe[probe.length - 1] !== 0xa5 || probe[probe.length - 2] !== 1) return undefined;
  return probe.slice(0, probe.length - 2);
}

function varintLength(n: number): number {
  let length = 1;
  for (; n > 0x7f; n >>>= 7) length++;
  return length;
}

/** Writes tag and varint `length` into `out` from `at`; returns where they end. */
function writeChunkHeader(out: Uint8Array, at: number, tag: Uint8Array, length: number): number {
  out.set(tag, at);
  let to = at + tag.length;
  let n = length;
  while (n > 0x7f) {
    out[to++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[to++] = n;
  return to;
}

/** A chunk message's bytes in one exact allocation: tag, varint length, payload. */
export function encodeChunk(tag: Uint8Array, chunk: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafeSlow(tag.length + varintLength(chunk.length) + chunk.length); // its own ArrayBuffer
  out.set(chunk, writeChunkHeader(out, 0, tag, chunk.length));
  return out;
}

/** A chunk message built in place: `payload` is a view into `encoded`, the whole message's bytes. */
export interface EncodedChunk {
  payload: Buffer;
  encoded: Buffer;
}

/**
 * Gathers a byte stream (an HTTP body arrives in pieces of 16–64 KiB) into chunk messages of `max` payload bytes,
 * the last one shorter. Every message costs each layer up to the socket, so fewer, larger ones cost less; and each
 * byte is copied once, straight into the message's encoding, where cutting it up and encoding it apart copied it
 * twice. Interleaved runs of a 512 MiB image download from one node, before → after (with chunkView below):
 * 83–106 → 118–124 MiB/s; the node's CPU 4.4–5.7 → 3.6–4.0 s, the client's 3.6–4.7 → 2.1–3.0 s. The price: a
 * slow cloud's bytes reach the client 256 KiB at a time.
 *
 * `expectedBytes` (the body's announced length) sizes the last chunk's buffer exactly: a small object costs its own
 * size, not `max`. A body longer than announced goes on in chunks of `max`; a shorter one ends with a short chunk.
 */
export async function* encodedChunks(
  source: AsyncIterable<Uint8Array>,
  tag: Uint8Array,
  max: number,
  expectedBytes?: number,
): AsyncGenerator<EncodedChunk> {
  let out: Buffer | undefined;
  let capacity = 0; // payload bytes `out` holds
  let headerRoom = 0; // before the payload: a shorter chunk's header ends at the same place
  let filled = 0;
  let taken = 0;
  const finish = (full: Buffer): EncodedChunk => {
    const start = headerRoom - tag.length - varintLength(filled);
    writeChunkHeader(full, start, tag, filled);
    const end = headerRoom + filled;
    return {
      payload: full.subarray(headerRoom, end),
      encoded: start || end < full.length ? full.subarray(start, end) : full,
    };
  };
  for await (const piece of source) {
    for (let at = 0; at < piece.length; ) {
      if (!out) {
        const left = expectedBytes !== undefined && expectedBytes > taken ? expectedBytes - taken : max;
        capacity = Math.min(max, left);
        headerRoom = tag.length + varintLength(capacity);
        out = Buffer.allocUnsafeSlow(headerRoom + capacity); // its own ArrayBuffer: handed to gRPC as it is
      }
      const n = Math.min(capacity - filled, piece.length - at);
      out.set(at === 0 && n === piece.length ? piece : piece.subarray(at, at + n), headerRoom + filled);
      filled += n;
      taken += n;
      at += n;
      if (filled === capacity) {
        yield finish(out);
        out = undefined;
        filled = 0;
      }
    }
  }
  if (out && filled) yield finish(out);
}

/**
 * A chunk message's payload as a view of its bytes, or undefined when `bytes` hold anything but exactly one chunk
 * field (the generated decoder then reads them). The generated decoder copies every chunk (`Buffer.from`): a 1 MiB
 * upload chunk was copied at each node it passed, on top of gRPC's own reassembly.
 */
export function chunkView(tag: Uint8Array, bytes: Uint8Array): Buffer | undefined {
  if (bytes.length <= tag.length) return undefined;
  for (let i = 0; i < tag.length; i++) if (bytes[i] !== tag[i]) return undefined;
  let at = tag.length;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (at >= bytes.length || shift > 28) return undefined;
    const byte = bytes[at++];
    length += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  if (at + length !== bytes.length) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, length);
}

/** Decodes a message of `type`; a chunk message keeps its payload where it is (see chunkView). */
export function messageDecoder<T>(type: MessageType<T>): (bytes: Uint8Array) => T {
  const tag = chunkTagOf(type as MessageType);
  if (!tag) return (bytes) => type.decode(bytes);
  return (bytes) => {
    const chunk = chunkView(tag, bytes);
    return chunk ? ({ part: { $case: 'chunk', value: chunk } } as T) : type.decode(bytes);
  };
}

/**
 * Objects built whole: every field set, by code typed to return the full message (no cast, no partial). A list
 * response around one is encoded as it is; any other message first goes through `fromPartial`, which fills in what
 * is missing by copying the whole message: for a list of servers that copy was a tenth of the node's time. Marks go on
 * batches (a handler's array of objects), so that marking costs nothing per object.
 */
const builtWhole = new WeakSet<object>();

/** Marks a batch of objects as built whole (see builtWhole) and returns it. */
export function whole<T extends readonly object[]>(batch: T): T {
  builtWhole.add(batch);
  return batch;
}

export function isWhole(batch: readonly unknown[]): boolean {
  return builtWhole.has(batch);
}

/** A list response (its one field, the `item` oneof) around an object built whole: encoded as it is. */
export class WholeListResponse {
  constructor(readonly item: { $case: string; value: unknown }) {}
}

/** Encodes a message of `type` (a partial one gets its defaults), a large chunk on its own. */
export function messageEncoder<T>(type: MessageType<T>): (message: unknown) => Uint8Array {
  const tag = chunkTagOf(type as MessageType);
  return (message) => {
    const chunk = tag && chunkOf(message);
    if (chunk && chunk.length >= OWN_BUFFER_CHUNK_BYTES) return encodeChunk(tag, chunk);
    return encodeMessage(type, message instanceof WholeListResponse ? (message as T) : type.fromPartial(message));
  };
}

/**
 * nice-grpc passes what a serializer returns to `Buffer.from`, which copies a Uint8Array but wraps an ArrayBuffer
 * as it is. Bytes that fill their own ArrayBuffer (every `finish()` and `encodeChunk` result) are handed over as that
 * ArrayBuffer, which saves a large chunk one more new allocation; anything else (bytes that share a buffer) is given
 * as it is and copied.
 */
export function handOver(bytes: Uint8Array): Uint8Array | ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole ? (bytes.buffer as ArrayBuffer) : bytes;
}

/** A serializer's result as a Buffer on the same memory (grpc-js only reads it, copying it into its frame). */
export function asBuffer(serialized: Uint8Array | ArrayBuffer): Buffer {
  if (serialized instanceof ArrayBuffer) return Buffer.from(serialized);
  if (Buffer.isBuffer(serialized)) return serialized;
  return Buffer.from(serialized.buffer, serialized.byteOffset, serialized.byteLength);
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
 * sent with its defaults), encoding as above; `sendAsIs` may give a message's bytes instead. Each method also says
 * whether its responses are chunks of a byte stream (`responseChunks`): a server buffers few of those.
 */
export function encodingDefinition<D extends TsProtoServiceDefinition>(
  definition: D,
  sendAsIs: (message: unknown) => Uint8Array | undefined = () => undefined,
): NormalizedServiceDefinition<D> {
  const methods: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(definition.methods)) {
    const method = raw as unknown as TsProtoMethodLike;
    const { requestType, responseType } = method;
    const encodeRequest = messageEncoder(requestType);
    const encodeResponse = messageEncoder(responseType);
    const decodeRequest = messageDecoder(requestType);
    const decodeResponse = messageDecoder(responseType);
    methods[key] = {
      path: `/${definition.fullName}/${method.name}`,
      requestStream: method.requestStream,
      responseStream: method.responseStream,
      requestDeserialize: decodeRequest,
      requestSerialize: (value: unknown) => handOver(sendAsIs(value) ?? encodeRequest(value)),
      responseDeserialize: decodeResponse,
      responseSerialize: (value: unknown) => handOver(sendAsIs(value) ?? encodeResponse(value)),
      responseChunks: chunkTagOf(responseType) !== undefined,
      options: method.options,
    };
  }
  return methods as NormalizedServiceDefinition<D>;
}
