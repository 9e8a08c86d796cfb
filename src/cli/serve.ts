// `oaktree serve`: start a node from flags and an optional node config file, stop it cleanly on a signal.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setDefaultHighWaterMark } from 'node:stream';
import { createLogger } from '../observability/logger.ts';
import { checkHostPort, DEFAULT_LISTEN, loadNodeConfig, NodeConfigError, type NodeConfig } from '../node/config.ts';
import { buildBackends } from '../node/backends.ts';
import { NodeReloader } from '../node/reload.ts';
import { watchConfigFiles } from '../node/config-watch.ts';
import { startNode } from '../node/server.ts';
import { checkListenSafety } from '../node/listen-safety.ts';
import { buildNodeAuth } from '../node/auth.ts';
import { NodeMetrics } from '../observability/metrics.ts';
import { NodeTracing } from '../observability/tracing.ts';

export interface ServeFlags {
  config?: string;
  listen?: string;
  nodeId?: string;
  cloudsYaml?: string;
  peer?: string[];
  logLevel?: string;
  simulate?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  requireClientCert?: boolean;
  insecure?: boolean;
}

/** Flags override the config file, which overrides the defaults. */
export async function resolveServeConfig(flags: ServeFlags): Promise<NodeConfig> {
  const config: NodeConfig = flags.config
    ? await loadNodeConfig(flags.config)
    : { listen: DEFAULT_LISTEN, clouds: {}, peers: [], logLevel: 'info' };
  if (flags.listen) {
    if (!checkHostPort(flags.listen)) throw new NodeConfigError(`--listen: expected host:port, got "${flags.listen}"`);
    config.listen = flags.listen;
  }
  if (flags.nodeId) config.nodeId = flags.nodeId;
  if (flags.cloudsYaml) config.clouds.file = flags.cloudsYaml;
  if (flags.logLevel) config.logLevel = flags.logLevel;
  for (const address of flags.peer ?? []) {
    if (!checkHostPort(address)) throw new NodeConfigError(`--peer: expected host:port, got "${address}"`);
    config.peers.push({ address });
  }
  if (flags.simulate && !config.simulate) config.simulate = [];
  applyTlsFlags(config, flags);
  if (flags.insecure) config.insecure = true;
  return config;
}

/** The --tls-* flags replace the file's tls section field by field. */
function applyTlsFlags(config: NodeConfig, flags: ServeFlags): void {
  if (!flags.tlsCert && !flags.tlsKey && !flags.tlsClientCa && !flags.requireClientCert) return;
  const cert = flags.tlsCert ?? config.tls?.cert;
  const key = flags.tlsKey ?? config.tls?.key;
  if (!cert || !key)
    throw new NodeConfigError('--tls-cert and --tls-key go together: the node needs both to serve TLS');
  const clientCa = flags.tlsClientCa ?? config.tls?.clientCa;
  const requireClientCert = flags.requireClientCert || config.tls?.requireClientCert;
  if (requireClientCert && !clientCa)
    throw new NodeConfigError('--require-client-cert needs --tls-client-ca: the CA that signs client certificates');
  config.tls = { cert, key, clientCa, requireClientCert };
}

export function defaultNodeId(listen: string): string {
  return `${hostname().split('.')[0]}-${listen.split(':').pop()}-${randomBytes(2).toString('hex')}`;
}

/**
 * How many messages each gRPC stream of this process buffers. grpc-js streams are object-mode streams, which hold
 * 16 messages by default: with 1 MiB object and image chunks that is 16 MiB per stream, per direction, at every hop,
 * and chunks that wait that long outlive young-generation GCs. With four, a relay's peak RSS growth for 256 MiB up
 * and down through the edge chain was 35–70 MiB over ten runs (41–108 with sixteen), and 100,000-server lists
 * through a relay showed no change beyond run-to-run noise.
 */
const STREAM_MESSAGES_BUFFERED = 4;

export async function serve(flags: ServeFlags): Promise<void> {
  setDefaultHighWaterMark(true, STREAM_MESSAGES_BUFFERED);
  const config = await resolveServeConfig(flags);
  const logger = createLogger({ level: config.logLevel });
  const exposedWarning = checkListenSafety({
    listen: config.listen,
    tls: !!config.tls,
    auth: config.auth !== undefined,
    insecure: config.insecure ?? false,
  });
  if (exposedWarning) {
    logger.warn(exposedWarning);
    process.stderr.write(`oaktree: warning: ${exposedWarning}\n`);
  }
  const nodeId = config.nodeId ?? defaultNodeId(config.listen);
  // Before any backend starts: a broken auth file stops the node with its file and line (exit 2).
  const auth = config.auth ? await buildNodeAuth({ ...config, auth: config.auth }) : undefined;
  const metrics = config.metrics ? new NodeMetrics({ nodeId }) : undefined;
  const tracing = config.tracing
    ? new NodeTracing({ nodeId, otlpEndpoint: config.tracing.otlpEndpoint, serviceName: config.tracing.serviceName })
    : undefined;
  const built = await buildBackends(config, nodeId, logger, { metrics, tracing });
  const node = await startNode({
    nodeId,
    listen: config.listen,
    backends: built.backends,
    logger,
    maxHops: config.maxHops,
    tls: config.tls,
    auth,
    connections: config.connections,
    watchTokenKey: built.services.watchTokenKey,
    metrics,
    metricsListen: config.metrics?.listen,
    tracing,
  }).catch(async (error: unknown) => {
    await built.close(); // a busy port leaves no simulator and no temporary clouds.yaml behind
    throw error;
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping: draining calls');
    await node.close();
    await built.close();
    logger.flush?.();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // SIGHUP re-reads the TLS files (and, without TLS, no longer kills the node as it would by default).
  process.on('SIGHUP', () => {
    logger.info({ tls: !!config.tls }, 'SIGHUP: re-reading TLS files');
    void node.reloadTls('SIGHUP');
  });
  if (flags.config) {
    // SIGHUP also re-reads the config file and clouds.yaml: clouds and peers come and go (src/node/reload.ts).
    const reloader = new NodeReloader({
      node,
      configFile: flags.config,
      config,
      backends: built.backends,
      services: built.services,
      limiters: built.limiters,
      logger,
      metrics,
      tracing,
    });
    void reloader.start();
    process.on('SIGHUP', () => void reloader.reload());
    if (config.reload?.watch) {
      const files = [flags.config, ...(config.clouds.file ? [config.clouds.file] : [])];
      logger.info({ files, debounceMs: config.reload.debounceMs }, 'reloading when these files change');
      watchConfigFiles({
        files,
        debounceMs: config.reload.debounceMs,
        onChange: () => void reloader.reload(),
        onError: (error) => logger.warn({ err: error.message }, 'cannot watch the config files; SIGHUP still reloads'),
      });
    }
  }
  // One line on stdout for humans and scripts: where to point a client.
  process.stdout.write(`oaktree ${nodeId} serving on ${node.address}\n`);
}
