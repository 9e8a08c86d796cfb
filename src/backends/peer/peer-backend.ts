// A peer is just another backend: an upstream oaktree node reached over oaktree's own gRPC API.
// It learns what the peer can reach through MeshService.ListRoutes, refreshes that in the background and when
// the connection comes back, and forwards every call with the node path (loop safety) and the locations the
// router assigned to it (so the peer asks each of them once and nothing else).
import * as grpc from '@grpc/grpc-js';
import type {
  ClientStreamMethod,
  ListMethod,
  ListResponse,
  ServerStreamMethod,
  UnaryMethod,
} from '../../core/methods.ts';
import { injectTraceContext } from '../../observability/trace-context.ts';
import { ROUTING_HEADER } from '../../core/call-context.ts';
import { encodeRoutingHeader } from '../../core/routing-header.ts';
import { ListRoutesRequest, ListRoutesResponse, MeshServiceDefinition } from '../../gen/oaktree/mesh/v1/mesh.ts';
import type { Location } from '../../gen/oaktree/v1/location.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Backend, CallContext, Route } from '../backend.ts';
import { clientStreamCall, serverStreamBatches, serverStreamCall, unaryCall } from './grpc-calls.ts';
import { resumingWatch } from './resuming-watch.ts';
import { Methods } from '../../core/methods.ts';

export interface PeerBackendOptions {
  /** host:port of the peer. */
  address: string;
  /** This node's id: sent as the start of the via path when asking for routes. */
  nodeId: string;
  logger: Logger;
  /** How often routes are refreshed (default 5 s). */
  refreshMs?: number;
  /** TLS to the peer; default plaintext. */
  credentials?: grpc.ChannelCredentials;
  /** Extra channel options (e.g. the TLS server name). */
  channelOptions?: grpc.ChannelOptions;
}

const LIST_ROUTES = {
  path: `/${MeshServiceDefinition.fullName}/${MeshServiceDefinition.methods.listRoutes.name}`,
  requestType: ListRoutesRequest,
  responseType: ListRoutesResponse,
  name: 'ListRoutes',
  kind: 'list',
  itemCase: 'route',
  locationOf: () => undefined,
} as const;

export class PeerBackend implements Backend {
  readonly id: string;
  readonly local = false;
  private readonly client: grpc.Client;
  private readonly options: PeerBackendOptions;
  private readonly logger: Logger;
  private learned: Route[] = [];
  private reachable = false;
  private peerNodeId: string | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private closed = false;

  constructor(options: PeerBackendOptions) {
    this.options = options;
    this.id = `peer:${options.address}`;
    this.logger = options.logger.child({ peer: options.address });
    this.client = new grpc.Client(options.address, options.credentials ?? grpc.credentials.createInsecure(), {
      ...options.channelOptions,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 3_000,
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      // Image bytes and long lists stream through hops: a 4 MiB receive window instead of HTTP/2's 64 KiB keeps
      // the pipe full on a hop, and still bounds what one stream can buffer.
      'grpc-node.flow_control_window': 4 * 1024 * 1024,
    });
  }

  routes(): readonly Route[] {
    if (this.reachable) return this.learned;
    return this.learned.map((route) => ({ ...route, reachable: false }));
  }

  /** The peer's node id, once it has answered. */
  get remoteNodeId(): string | undefined {
    return this.peerNodeId;
  }

  async start(): Promise<void> {
    // Usually the routes are known before the node serves; a peer that is down does not hold start-up back
    // for more than a second (its routes arrive on a later refresh or when it reconnects).
    await Promise.race([this.refresh(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    this.refreshTimer = setInterval(() => void this.refresh(), this.options.refreshMs ?? 5000);
    this.refreshTimer.unref();
    this.watchReconnects(this.client.getChannel().getConnectivityState(false));
  }

  /** Asks the peer for its routes; on failure keeps the last ones (marked unreachable). */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      const ctx: CallContext = {
        signal: AbortSignal.timeout(3000),
        via: [this.options.nodeId],
        deadline: new Date(Date.now() + 3000),
      };
      try {
        const routes: Route[] = [];
        let nodeId: string | undefined;
        const metadata = routingMetadata([this.options.nodeId]);
        for await (const response of serverStreamCall<ListRoutesResponse>(
          this.client,
          this.options.address,
          LIST_ROUTES as any,
          ListRoutesRequest.fromPartial({}),
          { metadata, ctx },
        )) {
          // A route the peer cannot reach now (an error item) is not one to learn: another path may serve it.
          if (response.item?.$case !== 'route' || !response.item.value.location) continue;
          const { location, hops, path } = response.item.value;
          nodeId = path[0];
          routes.push({ location, hops: hops + 1, path });
        }
        const changed = !this.reachable || routes.length !== this.learned.length;
        this.learned = routes;
        this.reachable = true;
        this.peerNodeId = nodeId ?? this.peerNodeId;
        if (changed) this.logger.info({ peerNodeId: this.peerNodeId, locations: routes.length }, 'peer routes learned');
      } catch (error) {
        if (this.reachable)
          this.logger.warn({ err: (error as Error).message }, 'peer unreachable; keeping its routes as a last resort');
        this.reachable = false;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Refreshes routes as soon as the connection comes back after a failure. */
  private watchReconnects(state: grpc.connectivityState): void {
    if (this.closed) return;
    this.client.getChannel().watchConnectivityState(state, Infinity, () => {
      const next = this.client.getChannel().getConnectivityState(true);
      if (next === grpc.connectivityState.READY && state !== grpc.connectivityState.READY) void this.refresh();
      if (next === grpc.connectivityState.TRANSIENT_FAILURE) this.reachable = false;
      this.watchReconnects(next);
    });
  }

  private metadata(ctx: CallContext, targets: readonly Location[]): grpc.Metadata {
    return routingMetadata(ctx.via, targets, ctx);
  }

  list<Req, Res extends ListResponse>(
    method: ListMethod<Req, Res>,
    request: Req,
    targets: readonly Location[],
    ctx: CallContext,
  ): AsyncIterable<readonly Res[]> {
    if (method.path === Methods.watchServers.path) {
      // A watch survives the peer's restarts: re-opened from the peer's last token (resuming-watch.ts).
      const { resumeToken } = request as { resumeToken: string };
      const options = {
        backendId: this.id,
        requestToken: resumeToken,
        targets,
        signal: ctx.signal,
        logger: this.logger,
      };
      const open = (peerToken: string) =>
        serverStreamCall<Res & { resumeToken: string }>(
          this.client,
          this.options.address,
          method,
          { ...request, resumeToken: peerToken },
          { metadata: this.metadata(ctx, targets), ctx },
        );
      return oneByOne(resumingWatch(open, options));
    }
    return serverStreamBatches<Res>(this.client, this.options.address, method, request, {
      metadata: this.metadata(ctx, targets),
      ctx,
    });
  }

  unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, target: Location, ctx: CallContext): Promise<Res> {
    return unaryCall<Res>(this.client, this.options.address, method, request, {
      metadata: this.metadata(ctx, [target]),
      ctx,
    });
  }

  serverStream<Req, Res>(
    method: ServerStreamMethod<Req, Res>,
    request: Req,
    target: Location,
    ctx: CallContext,
  ): AsyncIterable<Res> {
    return serverStreamCall<Res>(this.client, this.options.address, method, request, {
      metadata: this.metadata(ctx, [target]),
      ctx,
    });
  }

  clientStream<Req, Res>(
    method: ClientStreamMethod<Req, Res>,
    requests: AsyncIterable<Req>,
    targets: readonly Location[],
    ctx: CallContext,
  ): Promise<Res> {
    return clientStreamCall<Req, Res>(this.client, this.options.address, method, requests, {
      metadata: this.metadata(ctx, targets),
      ctx,
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.client.close();
  }
}

/**
 * The path this call has passed and, for a routed call, the locations assigned to the peer and the caller this
 * node authenticated (the peer applies its own policy to it; its token never leaves this node).
 */
function routingMetadata(via: readonly string[], assigned?: readonly Location[], ctx?: CallContext): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(ROUTING_HEADER, encodeRoutingHeader(via, assigned, ctx?.caller));
  injectTraceContext((key, value) => metadata.set(key, value)); // the hop joins the caller's trace
  return metadata;
}

/** A watch's events each as its own batch: a watch waits between events, so there is nothing to gather. */
async function* oneByOne<T>(events: AsyncIterable<T>): AsyncGenerator<readonly T[]> {
  for await (const event of events) yield [event];
}

export function createPeerBackend(options: PeerBackendOptions): PeerBackend {
  return new PeerBackend(options);
}
