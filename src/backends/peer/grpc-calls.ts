// Generic gRPC calls to a peer from oaktree's method descriptors: any RPC is forwarded by its path and message
// types, with a real gRPC deadline (the next hop learns the time left) and cancellation tied to the caller.
import { getDefaultHighWaterMark, setDefaultHighWaterMark } from 'node:stream';
import type * as grpc from '@grpc/grpc-js';
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import type { AnyMethod } from '../../core/methods.ts';
import { asBuffer, encodeMessage, messageDecoder } from '../../wire/message-encoding.ts';
import { keepWireBytes, wireBytesOf } from '../../core/wire-bytes.ts';
import { bounded } from '../../core/bounded-text.ts';
import { readBatches } from '../../core/read-batches.ts';
import type { CallContext } from '../../core/call-context.ts';

export interface PeerCallOptions {
  metadata: grpc.Metadata;
  ctx: CallContext;
}

/** A request a relay received keeps its bytes (a client stream's image chunks): they go on as they came. */
function serializer(method: AnyMethod) {
  return (message: unknown) => {
    return asBuffer(wireBytesOf(message) ?? encodeMessage(method.requestType, message));
  };
}
/** Decodes a peer's answer and keeps its bytes, so a relay can send it on without re-encoding (wire-bytes.ts). */
function deserializer(method: AnyMethod) {
  const decode = messageDecoder(method.responseType);
  return (bytes: Buffer) => keepWireBytes(decode(bytes) as object, bytes);
}
function callOptions(ctx: CallContext): grpc.CallOptions {
  return ctx.deadline ? { deadline: ctx.deadline } : {};
}

/** A peer's failure, with its code kept, so an in-band error says what really happened upstream. */
export function fromGrpcError(error: unknown, peer: string): Error {
  const e = error as Partial<grpc.ServiceError>;
  if (typeof e?.code === 'number') {
    const details = bounded(e.details || e.message || Status[e.code]);
    if (e.code === Status.UNAVAILABLE && !/via /.test(details)) {
      return new ServerError(e.code, `peer ${peer} is unreachable: ${details}`);
    }
    return new ServerError(e.code, details);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function linkCancel(call: { cancel(): void }, signal: AbortSignal): () => void {
  const cancel = () => call.cancel();
  if (signal.aborted) cancel();
  signal.addEventListener('abort', cancel, { once: true });
  return () => signal.removeEventListener('abort', cancel);
}

/** The peer's messages one by one (byte chunks: at most the stream's own buffer is held). */
export function serverStreamCall<Res>(
  client: grpc.Client,
  peer: string,
  method: AnyMethod,
  request: unknown,
  options: PeerCallOptions,
): AsyncGenerator<Res> {
  return serverStreamWith<Res, Res>(client, peer, method, request, options, (call) => call);
}

/**
 * The peer's messages in batches (read-batches.ts): what a relay forwards of a list. List items are small, so their
 * stream holds as many as a node's own list response does (node/response-batching.ts) instead of the process's
 * four, sized for 1 MiB chunks (cli/serve.ts): a batch is at most what the stream holds.
 */
export function serverStreamBatches<Res>(
  client: grpc.Client,
  peer: string,
  method: AnyMethod,
  request: unknown,
  options: PeerCallOptions,
): AsyncGenerator<Res[]> {
  return serverStreamWith<Res, Res[]>(client, peer, method, request, options, readBatches, LIST_MESSAGES_BUFFERED);
}

const LIST_MESSAGES_BUFFERED = 64;

/** A server-streaming call read by `read`, cancelled with the caller's signal and whenever reading stops. */
async function* serverStreamWith<Res, Out>(
  client: grpc.Client,
  peer: string,
  method: AnyMethod,
  request: unknown,
  { metadata, ctx }: PeerCallOptions,
  read: (call: grpc.ClientReadableStream<Res>) => AsyncIterable<Out>,
  messagesBuffered?: number,
): AsyncGenerator<Out> {
  // grpc-js builds the call's stream inside makeServerStreamRequest, with the process's default mark.
  const defaultMark = getDefaultHighWaterMark(true);
  if (messagesBuffered) setDefaultHighWaterMark(true, messagesBuffered);
  let call: grpc.ClientReadableStream<Res>;
  try {
    call = client.makeServerStreamRequest(
      method.path,
      serializer(method),
      deserializer(method),
      request,
      metadata,
      callOptions(ctx),
    ) as grpc.ClientReadableStream<Res>;
  } finally {
    setDefaultHighWaterMark(true, defaultMark);
  }
  const unlink = linkCancel(call, ctx.signal);
  try {
    yield* read(call);
  } catch (error) {
    throw fromGrpcError(error, peer);
  } finally {
    unlink();
    call.cancel();
  }
}

/**
 * A call that answers once (unary, client stream): its callback becomes a promise and the caller's signal cancels
 * it. `start` makes the call with the callback it is given; `use` may feed the call (a client stream's requests).
 */
function singleAnswer<Res, Call extends grpc.Call>(
  peer: string,
  signal: AbortSignal,
  start: (callback: grpc.requestCallback<unknown>) => Call,
  use: (call: Call, fail: (error: unknown) => void) => void = () => {},
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    let unlink = () => {};
    const call = start((error, response) => {
      unlink();
      if (error) reject(fromGrpcError(error, peer));
      else resolve(response as Res);
    });
    unlink = linkCancel(call, signal);
    use(call, reject);
  });
}

export function unaryCall<Res>(
  client: grpc.Client,
  peer: string,
  method: AnyMethod,
  request: unknown,
  { metadata, ctx }: PeerCallOptions,
): Promise<Res> {
  return singleAnswer<Res, grpc.ClientUnaryCall>(peer, ctx.signal, (callback) =>
    client.makeUnaryRequest(
      method.path,
      serializer(method),
      deserializer(method),
      request,
      metadata,
      callOptions(ctx),
      callback,
    ),
  );
}

/** Streams requests to the peer with backpressure: never more than the HTTP/2 window is buffered. */
export function clientStreamCall<Req, Res>(
  client: grpc.Client,
  peer: string,
  method: AnyMethod,
  requests: AsyncIterable<Req>,
  { metadata, ctx }: PeerCallOptions,
): Promise<Res> {
  return singleAnswer<Res, grpc.ClientWritableStream<Req>>(
    peer,
    ctx.signal,
    (callback) =>
      client.makeClientStreamRequest(
        method.path,
        serializer(method),
        deserializer(method),
        metadata,
        callOptions(ctx),
        callback,
      ),
    (call, fail) => {
      (async () => {
        for await (const request of requests) {
          if (!call.write(request)) await new Promise((drained) => call.once('drain', drained));
        }
        call.end();
      })().catch((error) => {
        call.cancel();
        fail(error);
      });
    },
  );
}
