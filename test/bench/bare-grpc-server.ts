// The hop floor's server: a bare grpc-js unary echo in its own process (no protobuf, no routing, no middleware),
// answering every call with BARE_RESPONSE_BYTES bytes. Prints {"port": N} once listening; stops on SIGTERM.
import * as grpc from '@grpc/grpc-js';
import { BARE_METHOD, BARE_RESPONSE_BYTES } from './lib/bare-grpc.ts';

const identity = (bytes: Buffer) => bytes;
const answer = Buffer.alloc(BARE_RESPONSE_BYTES, 0x61);
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
  { Echo: (_call: unknown, done: grpc.sendUnaryData<Buffer>) => done(null, answer) },
);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
