// A running oaktree node: the gRPC server with every oaktree service, health and reflection, over a router.
import { IdentityServiceDefinition } from '../gen/oaktree/v1/identity.ts';
import { readFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import type { ServerMiddleware } from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import { ServerReflection, ServerReflectionService } from 'nice-grpc-server-reflection';
import { deadlineInterceptor, oaktreeContextMiddleware } from '../api/call-context.ts';
import { peerCertInterceptor } from '../api/peer-cert.ts';
import { locationService, meshService } from '../api/location-service.ts';
import { loggingMiddleware } from '../api/logging.ts';
import { shutdownMiddleware } from '../api/shutdown.ts';
import { errorStatusMiddleware } from '../api/error-status.ts';
import { addTableServices } from '../api/table-services.ts';
import { auditMiddleware } from '../api/audit-middleware.ts';
import { authMiddleware } from '../auth/middleware.ts';
import { relayingDefinition } from '../core/wire-bytes.ts';
import type { Backend } from '../backends/backend.ts';
import { CapabilitiesServiceDefinition } from '../gen/oaktree/v1/capabilities.ts';
import { ComputeServiceDefinition } from '../gen/oaktree/v1/compute.ts';
import { ImageServiceDefinition } from '../gen/oaktree/v1/image.ts';
import { LimitsServiceDefinition } from '../gen/oaktree/v1/limits.ts';
import { LocationServiceDefinition } from '../gen/oaktree/v1/location.ts';
import { MeshServiceDefinition } from '../gen/oaktree/mesh/v1/mesh.ts';
import { NetworkServiceDefinition } from '../gen/oaktree/v1/network.ts';
import { VolumeServiceDefinition } from '../gen/oaktree/v1/volume.ts';
import { Router, DEFAULT_MAX_HOPS } from '../mesh/router.ts';
import { WatchTokenKey } from '../cache/watch-token.ts';
import type { Logger } from '../observability/logger.ts';
import type { NodeTlsConfig } from './config.ts';
import { createServerTls, type ServerTls } from './server-tls.ts';
import type { NodeAuth } from './auth.ts';
import type { ConnectionLimits } from './connection-limits.ts';
import { createGuardedServer } from './guarded-server.ts';

/** Served from the method table: validated, then routed to the backends. */
const TABLE_SERVICES = [
  ComputeServiceDefinition,
  ImageServiceDefinition,
  NetworkServiceDefinition,
  VolumeServiceDefinition,
  LimitsServiceDefinition,
  CapabilitiesServiceDefinition,
  IdentityServiceDefinition,
];

/** Every oaktree service: a node always offers the whole API (no feature switches). */
export const OAKTREE_SERVICES = [LocationServiceDefinition, ...TABLE_SERVICES, MeshServiceDefinition].map(
  (definition) => definition.fullName,
);

const DESCRIPTOR_SET = new URL('../gen/descriptor-set.bin', import.meta.url);

export interface NodeOptions {
  nodeId: string;
  /** host:port; port 0 picks a free one. */
  listen: string;
  backends: Backend[];
  logger: Logger;
  maxHops?: number;
  /** Serve TLS (mTLS with a client CA); absent: plaintext. */
  tls?: NodeTlsConfig;
  /** Signs watch resume tokens; replicas of one node share it (default: a key for this run only). */
  watchTokenKey?: WatchTokenKey;
  /** Authenticate every call and authorize it by the policy; absent: anyone who reaches the port (loopback). */
  auth?: NodeAuth;
  /** Bounds on client connections (src/node/connection-limits.ts); absent fields take the defaults. */
  connections?: Partial<ConnectionLimits>;
}

export interface RunningNode {
  readonly nodeId: string;
  /** The address it listens on, with the real port. */
  readonly address: string;
  readonly port: number;
  readonly router: Router;
  /** Re-reads the TLS files (SIGHUP); false when they were broken and the current ones stay. No-op without TLS. */
  reloadTls(reason?: string): Promise<boolean>;
  /** Starts a backend and routes to it from now on: peers of a cycle are added once they listen. */
  addBackend(backend: Backend): Promise<void>;
  /**
   * Stops the node: health turns NOT_SERVING, new calls are refused, long streams end with UNAVAILABLE,
   * other calls get `graceMs` to finish before they are cancelled; then backends close.
   */
  close(graceMs?: number): Promise<void>;
}

export async function startNode(options: NodeOptions): Promise<RunningNode> {
  const { logger, nodeId } = options;
  const maxHops = options.maxHops ?? DEFAULT_MAX_HOPS;
  const router = new Router({ nodeId, backends: [...options.backends], logger, maxHops });
  const shutdown = new AbortController();
  setMaxListeners(0, shutdown.signal); // every open stream listens for shutdown
  const health = HealthState();

  const auth = options.auth;
  const server = createGuardedServer({
    logger,
    limits: options.connections ?? {},
    grpcOptions: {
      interceptors: [deadlineInterceptor, peerCertInterceptor],
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 10_000,
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
    },
  })
    .use(loggingMiddleware(logger))
    .use(shutdownMiddleware(shutdown.signal))
    .use(errorStatusMiddleware())
    .use(auth ? authMiddleware({ ...auth, logger }) : passThrough)
    .use(oaktreeContextMiddleware(nodeId, maxHops))
    .use(auditMiddleware(logger));
  server.add(HealthDefinition, HealthServiceImpl(health));
  server.add(
    ServerReflectionService,
    ServerReflection(readFileSync(DESCRIPTOR_SET), [...OAKTREE_SERVICES, HealthDefinition.fullName]),
  );

  server.add(relayingDefinition(LocationServiceDefinition), locationService(router));
  addTableServices(server, router, TABLE_SERVICES, { watchTokenKey: options.watchTokenKey ?? WatchTokenKey.random() });
  server.add(relayingDefinition(MeshServiceDefinition), meshService(router));

  const tls: ServerTls | undefined = options.tls ? await createServerTls(options.tls, logger) : undefined;
  await Promise.all(options.backends.map((backend) => backend.start?.()));
  const port = await server.listen(options.listen, tls?.credentials).catch((error) => {
    tls?.close();
    auth?.authenticator.close();
    throw error;
  });
  const host = options.listen.slice(0, options.listen.lastIndexOf(':'));
  const address = `${host}:${port}`;
  for (const name of ['', ...OAKTREE_SERVICES]) health.setStatus('healthy', name);
  logger.info(
    {
      nodeId,
      address,
      tls: tls ? (options.tls?.requireClientCert ? 'mtls' : 'on') : 'off',
      auth: auth ? 'on' : 'off',
      backends: options.backends.map((b) => b.id),
    },
    'oaktree node serving',
  );

  let closing: Promise<void> | undefined;
  return {
    nodeId,
    address,
    port,
    router,
    reloadTls: (reason = 'asked') => tls?.reload(reason) ?? Promise.resolve(true),
    async addBackend(backend) {
      await backend.start?.();
      router.addBackend(backend);
    },
    close(graceMs = 5000) {
      closing ??= (async () => {
        for (const name of ['', ...OAKTREE_SERVICES]) health.setStatus('unhealthy', name);
        shutdown.abort();
        const forced = setTimeout(() => server.forceShutdown(), graceMs);
        await server.shutdown();
        clearTimeout(forced);
        tls?.close();
        auth?.authenticator.close();
        await router.close();
        logger.info({ nodeId }, 'oaktree node stopped');
      })();
      return closing;
    },
  };
}

/** The middleware a node without auth puts where the auth ones go. */
const passThrough: ServerMiddleware = (call, context) => call.next(call.request, context);
