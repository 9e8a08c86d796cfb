// A running oaktree node: the gRPC server with every oaktree service, health and reflection, over a router.
import { IdentityServiceDefinition } from '../gen/oaktree/v1/identity.ts';
import { readFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import type { ServerMiddleware } from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import { ServerReflectionService } from 'nice-grpc-server-reflection';
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
import { lazyServerReflection } from './reflection.ts';
import type { Backend } from '../backends/backend.ts';
import { CapabilitiesServiceDefinition } from '../gen/oaktree/v1/capabilities.ts';
import { ComputeServiceDefinition } from '../gen/oaktree/v1/compute.ts';
import { ImageServiceDefinition } from '../gen/oaktree/v1/image.ts';
import { LimitsServiceDefinition } from '../gen/oaktree/v1/limits.ts';
import { LocationServiceDefinition } from '../gen/oaktree/v1/location.ts';
import { MeshServiceDefinition } from '../gen/oaktree/mesh/v1/mesh.ts';
import { NetworkServiceDefinition } from '../gen/oaktree/v1/network.ts';
import { ObjectStoreServiceDefinition } from '../gen/oaktree/v1/object_store.ts';
import { VolumeServiceDefinition } from '../gen/oaktree/v1/volume.ts';
import { Router, DEFAULT_MAX_HOPS } from '../mesh/router.ts';
import { WatchTokenKey } from '../cache/watch-token.ts';
import type { Logger } from '../observability/logger.ts';
import type { NodeTlsConfig } from './config.ts';
import { createServerTls, type ServerTls } from './server-tls.ts';
import type { NodeAuth } from './auth.ts';
import type { ConnectionLimits } from './connection-limits.ts';
import { createGuardedServer } from './guarded-server.ts';
import type { NodeMetrics } from '../observability/metrics.ts';
import { rpcMetricsMiddleware } from '../observability/rpc-metrics.ts';
import { startMetricsServer, type MetricsServer } from './metrics-server.ts';
import { meshSnapshot } from './mesh-snapshot.ts';
import { backendCallHooks } from './backend-hooks.ts';
import { BackendRemovals } from './backend-removal.ts';
import { statusRoutes } from './status-page.ts';
import type { NodeTracing } from '../observability/tracing.ts';
import { rpcTracingMiddleware } from '../observability/rpc-tracing.ts';

/** Served from the method table: validated, then routed to the backends. */
const TABLE_SERVICES = [
  ComputeServiceDefinition,
  ImageServiceDefinition,
  NetworkServiceDefinition,
  VolumeServiceDefinition,
  LimitsServiceDefinition,
  CapabilitiesServiceDefinition,
  IdentityServiceDefinition,
  ObjectStoreServiceDefinition,
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
  /** Measure calls, backends and routes into these metrics (the same ones given to the backends). */
  metrics?: NodeMetrics;
  /** host:port of the HTTP listener for /metrics (needs `metrics`); absent: no listener. */
  metricsListen?: string;
  /** Trace every call (the same tracing given to the backends); the node shuts it down when it closes. */
  tracing?: NodeTracing;
}

export interface RunningNode {
  readonly nodeId: string;
  /** The address it listens on, with the real port. */
  readonly address: string;
  readonly port: number;
  readonly router: Router;
  /** host:port of the /metrics listener, when there is one. */
  readonly metricsAddress?: string;
  /**
   * Moves the /metrics listener to `listen` (a reload), or stops it (undefined). The new one is up before the old
   * one closes; a new address that cannot be bound throws and the old listener stays. Needs `metrics`.
   */
  moveMetricsListener(listen: string | undefined): Promise<void>;
  /** Re-reads the TLS files (SIGHUP); false when they were broken and the current ones stay. No-op without TLS. */
  reloadTls(reason?: string): Promise<boolean>;
  /** Starts a backend and routes to it from now on: peers of a cycle are added once they listen. */
  addBackend(backend: Backend): Promise<void>;
  /** Stops routing to a backend, ends its open calls with UNAVAILABLE: `message`, and closes it (reload). */
  removeBackend(backend: Backend, message: string): Promise<void>;
  /**
   * Stops the node: health turns NOT_SERVING, new calls are refused, long streams end with UNAVAILABLE,
   * other calls get `graceMs` to finish before they are cancelled; then backends close.
   */
  close(graceMs?: number): Promise<void>;
}

export async function startNode(options: NodeOptions): Promise<RunningNode> {
  const { logger, nodeId } = options;
  const maxHops = options.maxHops ?? DEFAULT_MAX_HOPS;
  const { metrics } = options;
  const removals = new BackendRemovals();
  const router = new Router({
    nodeId,
    backends: [...options.backends],
    logger,
    maxHops,
    calls: backendCallHooks(removals, metrics, options.tracing),
  });
  metrics?.observeMesh(() => meshSnapshot(router));
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
    .use(options.tracing ? rpcTracingMiddleware(options.tracing, nodeId) : passThrough)
    .use(loggingMiddleware(logger))
    .use(metrics ? rpcMetricsMiddleware(metrics) : passThrough)
    .use(shutdownMiddleware(shutdown.signal))
    .use(errorStatusMiddleware())
    .use(auth ? authMiddleware({ ...auth, logger }) : passThrough)
    .use(oaktreeContextMiddleware(nodeId, maxHops))
    .use(auditMiddleware(logger));
  server.add(HealthDefinition, HealthServiceImpl(health));
  server.add(
    ServerReflectionService,
    lazyServerReflection(readFileSync(DESCRIPTOR_SET), [...OAKTREE_SERVICES, HealthDefinition.fullName]),
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
  let metricsServer: MetricsServer | undefined;
  if (metrics && options.metricsListen) {
    const routes = statusRoutes(nodeId, router, metrics);
    metricsServer = await startMetricsServer({ listen: options.metricsListen, metrics, logger, routes }).catch(
      (error) => {
        server.forceShutdown();
        tls?.close();
        auth?.authenticator.close();
        throw error;
      },
    );
  }
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
    get metricsAddress() {
      return metricsServer?.address;
    },
    async moveMetricsListener(listen) {
      if (!metrics) throw new Error('this node was started without metrics');
      const previous = metricsServer;
      metricsServer = listen
        ? await startMetricsServer({ listen, metrics, logger, routes: statusRoutes(nodeId, router, metrics) })
        : undefined;
      await previous?.close();
    },
    reloadTls: (reason = 'asked') => tls?.reload(reason) ?? Promise.resolve(true),
    async addBackend(backend) {
      await backend.start?.();
      router.addBackend(backend);
    },
    async removeBackend(backend, message) {
      router.removeBackend(backend);
      removals.remove(backend, message);
      await backend.close();
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
        await metricsServer?.close();
        await options.tracing?.shutdown();
        logger.info({ nodeId }, 'oaktree node stopped');
      })();
      return closing;
    },
  };
}

/** The middleware a node without auth puts where the auth ones go. */
const passThrough: ServerMiddleware = (call, context) => call.next(call.request, context);
