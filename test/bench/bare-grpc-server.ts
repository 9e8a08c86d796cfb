// The hop floor's processes: a bare grpc-js unary echo (no protobuf, no routing, no middleware) answering every call
// with BARE_RESPONSE_BYTES bytes or, given an upstream port, a bare relay that forwards every call's bytes to that
// server through one kept client and answers with what it got back. Prints {"port": N} once listening; stops on
// SIGTERM.
import * as grpc from '@grpc/grpc-js';
import { BARE_METHOD, BARE_RESPONSE_BYTES } from './lib/bare-grpc.ts';

const identity = (bytes: Buffer) => bytes;
const answer = Buffer.alloc(BARE_RESPONSE_BYTES, 0x61);
const upstreamPort = process.argv[2];
const upstream = upstreamPort
  ? new grpc.Client(`127.0.0.1:${upstreamPort}`, grpc.credentials.createInsecure())
  : undefined;
const echo = (_call: unknown, done: grpc.sendUnaryData<Buffer>) => done(null, answer);
const forward = (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) =>
  upstream!.makeUnaryRequest(BARE_METHOD, identity, identity, call.request, (error, bytes) =>
    error ? done(error) : done(null, bytes),
  );
const server = new grpc.Server();
server.addService(
  {
    Echo: {
      path: BARE_METHOD,
      requestStream: false,
      responseStream: false,
      requestDeserialize: identity,
      requestSerialize: identity,
      responseDeserialize: identity,
      responseSerialize: identity,
    },
  },
  { Echo: upstream ? forward : echo },
);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
