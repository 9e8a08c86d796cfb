// One fuzzed call on the wire: through grpc-js with pass-through (de)serializers, so the bytes are exactly what
// the fuzzer made, or as raw HTTP/2 frames for what grpc-js refuses to send (grpc-timeout 0n, a compressed flag
// without an encoding, a length prefix that lies). Every call is watched: one that outlives its patience is a hang.
import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import type { RpcKind } from './contract.ts';

export interface WireCall {
  address: string;
  path: string;
  kind: RpcKind;
  /** Request messages (one, or several for a client stream). */
  messages: Uint8Array[];
  metadata: Array<[string, string | Buffer]>;
  /** An absolute gRPC deadline on the wire (ms from now; 0 = already passed); undefined: none. */
  deadlineMs?: number;
  /** The client cancels this long after the start. */
  cancelAfterMs?: number;
  /** The client cancels once this many responses arrived. */
  cancelAfterMessages?: number;
  /** Raw HTTP/2 framing instead of grpc-js. */
  raw?: RawFraming;
  /** A connection of its own, closed after the call (for calls that may reset their connection). */
  ownConnection?: boolean;
}

export interface RawFraming {
  grpcTimeout?: string;
  grpcEncoding?: string;
  compressedFlag: number;
  /** The length written in the prefix, when it should lie. */
  declaredLength?: number;
}

export interface CallOutcome {
  /** A gRPC status code; 'hang' when it outlived its patience; 'transport' when the connection failed without a status. */
  code: number | 'hang' | 'transport';
  details: string;
  responses: number;
  ms: number;
  cancelledByClient: boolean;
}

const identity = (b: Buffer) => b;

/** `own`: a connection of its own (grpc-js shares connections between clients to one address otherwise). */
function newClient(address: string, own = false): grpc.Client {
  return new grpc.Client(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_metadata_size': 4 * 1024 * 1024,
    ...(own ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
  });
}

/** Clients per address, reused across calls as a real client would. */
export class WirePool {
  private readonly clients = new Map<string, grpc.Client>();
  private readonly sessions = new Map<string, http2.ClientHttp2Session>();

  client(address: string): grpc.Client {
    let client = this.clients.get(address);
    if (!client) {
      client = newClient(address);
      this.clients.set(address, client);
    }
    return client;
  }

  session(address: string): http2.ClientHttp2Session {
    let session = this.sessions.get(address);
    if (!session || session.closed || session.destroyed) {
      session = http2.connect(`http://${address}`);
      session.on('error', () => this.sessions.delete(address));
      session.on('close', () => this.sessions.delete(address));
      this.sessions.set(address, session);
    }
    return session;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    for (const session of this.sessions.values()) session.destroy();
    this.clients.clear();
    this.sessions.clear();
  }
}

export function wireCall(pool: WirePool, call: WireCall, patienceMs: number): Promise<CallOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let responses = 0;
    let cancelledByClient = false;
    let settled = false;
    let cancel: () => void = () => {};
    const timers: NodeJS.Timeout[] = [];
    const finish = (code: CallOutcome['code'], details: string) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      resolve({ code, details, responses, ms: performance.now() - started, cancelledByClient });
    };
    const clientCancel = () => {
      cancelledByClient = true;
      cancel();
    };
    const onResponse = () => {
      responses++;
      if (call.cancelAfterMessages !== undefined && responses >= call.cancelAfterMessages) clientCancel();
    };
    timers.push(
      setTimeout(() => {
        cancel();
        finish('hang', `no status after ${patienceMs} ms`);
      }, patienceMs),
    );
    if (call.cancelAfterMs !== undefined) timers.push(setTimeout(clientCancel, call.cancelAfterMs));
    try {
      cancel = call.raw ? rawCall(pool, call, call.raw, onResponse, finish) : grpcCall(pool, call, onResponse, finish);
    } catch (error) {
      finish('transport', `the client refused the call: ${(error as Error).message}`);
    }
  });
}

function grpcCall(
  pool: WirePool,
  call: WireCall,
  onResponse: () => void,
  finish: (code: number, details: string) => void,
): () => void {
  const own = call.ownConnection ? newClient(call.address, true) : undefined;
  const client = own ?? pool.client(call.address);
  const metadata = new grpc.Metadata();
  for (const [key, value] of call.metadata) metadata.add(key, value);
  const options: grpc.CallOptions =
    call.deadlineMs === undefined ? {} : { deadline: new Date(Date.now() + call.deadlineMs) };
  const end = (code: number, details: string) => {
    own?.close();
    finish(code, details);
  };
  const done = (error: grpc.ServiceError | null) => (error ? end(error.code, error.details) : end(grpc.status.OK, ''));
  const payload = Buffer.from(call.messages[0] ?? new Uint8Array());
  switch (call.kind) {
    case 'unary': {
      const c = client.makeUnaryRequest(call.path, identity, identity, payload, metadata, options, (error) => {
        if (!error) onResponse();
        done(error);
      });
      return () => c.cancel();
    }
    case 'server_streaming': {
      const c = client.makeServerStreamRequest(call.path, identity, identity, payload, metadata, options);
      c.on('data', onResponse);
      c.on('error', () => {}); // the status event reports it
      c.on('status', (status: grpc.StatusObject) => end(status.code, status.details));
      return () => c.cancel();
    }
    default: {
      const c = client.makeClientStreamRequest(call.path, identity, identity, metadata, options, (error) => {
        if (!error) onResponse();
        done(error);
      });
      for (const message of call.messages) c.write(Buffer.from(message));
      c.end();
      return () => c.cancel();
    }
  }
}

function rawCall(
  pool: WirePool,
  call: WireCall,
  raw: RawFraming,
  onResponse: () => void,
  finish: (code: number | 'transport', details: string) => void,
): () => void {
  const headers: http2.OutgoingHttpHeaders = {
    ':method': 'POST',
    ':path': call.path,
    'content-type': 'application/grpc',
    te: 'trailers',
  };
  if (raw.grpcTimeout !== undefined) headers['grpc-timeout'] = raw.grpcTimeout;
  if (raw.grpcEncoding !== undefined) headers['grpc-encoding'] = raw.grpcEncoding;
  for (const [key, value] of call.metadata) headers[key] = typeof value === 'string' ? value : value.toString('base64');
  const stream = pool.session(call.address).request(headers);
  let status: number | undefined;
  let details = '';
  const readStatus = (h: http2.IncomingHttpHeaders) => {
    if (h['grpc-status'] !== undefined) status = Number(h['grpc-status']);
    if (h['grpc-message'] !== undefined) details = decodeURIComponent(String(h['grpc-message']));
  };
  stream.on('response', readStatus);
  stream.on('trailers', readStatus);
  stream.on('data', onResponse);
  stream.on('error', () => {});
  stream.on('close', () =>
    status === undefined
      ? finish('transport', `stream closed without a status (${stream.rstCode})`)
      : finish(status, details),
  );
  for (const message of call.messages) {
    const prefix = Buffer.alloc(5);
    prefix[0] = raw.compressedFlag;
    prefix.writeUInt32BE(raw.declaredLength ?? message.length, 1);
    stream.write(Buffer.concat([prefix, message]));
  }
  stream.end();
  return () => stream.close(http2.constants.NGHTTP2_CANCEL);
}
