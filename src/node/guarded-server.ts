// nice-grpc's server, with the listening socket owned here: every connection passes the ConnectionGuard before
// grpc-js sees it. nice-grpc creates its grpc-js server inside listen() and keeps it private, so connections
// could not be counted there; this builds the grpc-js server the same way (nice-grpc's own method handlers) and
// feeds it accepted sockets through grpc-js's connection injector. With TLS the injector's server is a TLS
// server: it gets the raw socket and does the handshake itself, so certificate reloads work as before.
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import type { Server } from 'nice-grpc';
import { composeServerMiddleware, type ServerMiddleware } from 'nice-grpc-common';
import type { Logger } from '../observability/logger.ts';
import { asBuffer } from '../wire/message-encoding.ts';
import { ConnectionGuard, type ConnectionLimits } from './connection-limits.ts';
import { batchResponses, SMALL_MESSAGES_BUFFERED } from './response-batching.ts';

// nice-grpc's handler factories are internal (their typings are stripped); the shape nice-grpc's listen() uses.
type HandlerFactory = (
  definition: any,
  implementation: (...args: any[]) => unknown,
  middleware: ServerMiddleware<any, any> | undefined,
) => grpc.UntypedHandleCall;
const require = createRequire(import.meta.url);
const { normalizeServiceDefinition } = require('nice-grpc/lib/service-definitions/index.js');
const handlers = {
  unary: require('nice-grpc/lib/server/handleUnaryCall.js').createUnaryMethodHandler as HandlerFactory,
  serverStream: require('nice-grpc/lib/server/handleServerStreamingCall.js')
    .createServerStreamingMethodHandler as HandlerFactory,
  clientStream: require('nice-grpc/lib/server/handleClientStreamingCall.js')
    .createClientStreamingMethodHandler as HandlerFactory,
  bidi: require('nice-grpc/lib/server/handleBidiStreamingCall.js').createBidiStreamingMethodHandler as HandlerFactory,
};

interface NormalizedMethod {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  /** Set by src/wire's definitions: responses are chunks of a byte stream. */
  responseChunks?: boolean;
  requestDeserialize(bytes: Buffer): unknown;
  requestSerialize(value: unknown): Uint8Array | ArrayBuffer;
  responseDeserialize(bytes: Buffer): unknown;
  responseSerialize(value: unknown): Uint8Array | ArrayBuffer;
}

/**
 * nice-grpc's conversion to a grpc-js service, without its copy: nice-grpc gives every encoded message to
 * `Buffer.from`, which copies it before grpc-js copies it again into its frame. grpc-js only reads it, so a view on
 * the same memory is enough (src/wire): a relay saves one new allocation for every item and chunk it forwards.
 */
function grpcJsServiceDefinition(definition: Record<string, NormalizedMethod>): grpc.ServiceDefinition {
  const service: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition)) {
    service[name] = {
      path: method.path,
      requestStream: method.requestStream,
      responseStream: method.responseStream,
      requestDeserialize: method.requestDeserialize,
      requestSerialize: (value: unknown) => asBuffer(method.requestSerialize(value)),
      responseDeserialize: method.responseDeserialize,
      responseSerialize: (value: unknown) => asBuffer(method.responseSerialize(value)),
    };
  }
  return service;
}

interface Registered {
  definition: Record<string, NormalizedMethod>;
  middleware: ServerMiddleware<any, any> | undefined;
  implementation: Record<string, (...args: any[]) => unknown>;
}

export interface GuardedServerOptions {
  /** grpc-js server options; `grpc.max_connection_idle_ms` is set from the limits. */
  grpcOptions: grpc.ServerOptions & Record<string, unknown>;
  limits: Partial<ConnectionLimits>;
  logger: Logger;
}

/** A nice-grpc Server whose connections are bounded (see connection-limits.ts). */
export function createGuardedServer(options: GuardedServerOptions): Server {
  const guard = new ConnectionGuard(options.limits, options.logger);
  const services: Registered[] = [];
  let grpcServer: grpc.Server | undefined;
  let listener: NetServer | undefined;

  const addBuilder = (middleware: ServerMiddleware<any, any> | undefined): any => ({
    with: (next: ServerMiddleware<any, any>) =>
      addBuilder(middleware ? composeServerMiddleware(middleware, next) : next),
    add(definition: unknown, implementation: Registered['implementation']) {
      if (grpcServer) throw new Error('server.add() must be used before listen()');
      services.push({ definition: normalizeServiceDefinition(definition), middleware, implementation });
    },
  });

  const build = (middleware: ServerMiddleware<any, any> | undefined): any => ({
    ...addBuilder(middleware),
    use(next: ServerMiddleware<any, any>) {
      if (grpcServer) throw new Error('server.use() must be used before listen()');
      if (services.length > 0) throw new Error('server.use() must be used before adding any services');
      return build(middleware ? composeServerMiddleware(middleware, next) : next);
    },

    async listen(address: string, credentials = grpc.ServerCredentials.createInsecure()): Promise<number> {
      if (grpcServer) throw new Error('server.listen() has already been called');
      const interceptors = [
        ...((options.grpcOptions.interceptors as grpc.ServerInterceptor[]) ?? []),
        guard.interceptor,
      ];
      const server = new grpc.Server({
        ...options.grpcOptions,
        interceptors,
        'grpc.max_connection_idle_ms': guard.limits.idleTimeoutMs,
      });
      for (const { definition, middleware: serviceMiddleware, implementation } of services) {
        const methods: Record<string, grpc.UntypedHandleCall> = {};
        for (const [name, method] of Object.entries(definition)) {
          const factory = method.requestStream
            ? method.responseStream
              ? handlers.bidi
              : handlers.clientStream
            : method.responseStream
              ? handlers.serverStream
              : handlers.unary;
          const handle = factory(method, implementation[name]!.bind(implementation), serviceMiddleware);
          const buffered = method.responseChunks ? 0 : SMALL_MESSAGES_BUFFERED;
          methods[name] = method.responseStream
            ? (call: Writable) => {
                batchResponses(call, buffered);
                (handle as (call: Writable) => void)(call);
              }
            : handle;
        }
        server.addService(grpcJsServiceDefinition(definition), methods);
      }
      const injector = server.createConnectionInjector(credentials);
      const net = createNetServer({ pauseOnConnect: false }, (socket) => {
        if (guard.admit(socket)) injector.injectConnection(socket);
      });
      const { host, port } = splitHostPort(address);
      await new Promise<void>((resolve, reject) => {
        net.once('error', reject);
        net.listen({ host, port }, () => {
          net.off('error', reject);
          resolve();
        });
      });
      // Out of file handles: Node reports the failed accept here; the listener keeps accepting afterwards.
      net.on('error', (error) => guard.acceptFailed(error));
      grpcServer = server;
      listener = net;
      return (net.address() as { port: number }).port;
    },

    async shutdown() {
      if (!grpcServer) return;
      const server = grpcServer;
      listener?.close();
      await new Promise<void>((resolve, reject) => server.tryShutdown((error) => (error ? reject(error) : resolve())));
      guard.close();
      grpcServer = undefined;
    },

    forceShutdown() {
      if (!grpcServer) return;
      listener?.close();
      grpcServer.forceShutdown();
      guard.close();
      grpcServer = undefined;
    },
  });

  return build(undefined);
}

function splitHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(colon + 1)) };
}
