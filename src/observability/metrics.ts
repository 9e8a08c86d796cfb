// A node's Prometheus metrics (prom-client), in a registry of its own: two nodes in one process never mix their
// numbers. Every label is bounded: method names from the method table, cloud and region names from the config,
// service types, HTTP methods and status codes, backend ids from the config. Never an object's id or name.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; from a cached answer (1 ms) to a slow server create (30 s). */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One upstream request as the transport saw it (after its retries). */
export interface UpstreamSample {
  cloud: string;
  region: string;
  service: string;
  method: string;
  /** HTTP status, or 0 when no answer came (connection error, timeout, abort). */
  status: number;
  seconds: number;
}

export type ByteKind = 'image' | 'object';
export type ByteDirection = 'upload' | 'download';

/** What the OpenStack transport reports; the node's metrics implement it, tests may too. */
export interface UpstreamObserver {
  /** Image or object data bytes sent to a cloud (upload) or received from it (download). */
  bytes?(labels: { cloud: string; kind: ByteKind; direction: ByteDirection }, count: number): void;
  request(sample: UpstreamSample): void;
  retry(labels: { cloud: string; region: string; service: string; reason: string }): void;
  /** A collection GET answered from a kept answer (hit), by joining one in flight (coalesced), or by a new one (miss). */
  sharedRead(labels: { cloud: string; region: string; result: 'hit' | 'miss' | 'coalesced' }): void;
}

/** One cloud-region's server pollers as this node runs them, read at scrape time. */
export interface PollerSnapshot {
  cloud: string;
  region: string;
  /** The interval in force while this replica polls (absent: not polling now, or another replica leads). */
  intervalSeconds?: number;
  /** Age of the newest poll the region's state reflects (absent: never polled yet). */
  lagSeconds?: number;
  /** Servers known in the region's state. */
  servers: number;
  /** Waiters and watchers listening to the region. */
  subscribers: number;
  /** With Redis: whether this replica leads the region's poller (absent: local poller). */
  leader?: boolean;
}

/** The last failed upstream request of a cloud-region: what, how it failed and when; never its URL or body. */
export interface UpstreamFailure {
  method: string;
  service: string;
  /** HTTP status, or 0 when no answer came. */
  status: number;
  /** ISO 8601. */
  at: string;
}

/** Live state read at scrape time (the router's backends and routes). */
export interface MeshSnapshot {
  /** Peer backends and whether any of their routes is reachable. */
  peers: Array<{ id: string; up: boolean }>;
  /** Locations with a chosen route. */
  routes: number;
}

export class NodeMetrics implements UpstreamObserver {
  readonly registry = new Registry();
  readonly rpcRequests: Counter<'method' | 'code'>;
  readonly rpcDuration: Histogram<'method' | 'code'>;
  readonly rpcInFlight: Gauge<'method'>;
  readonly upstreamRequests: Counter<'cloud' | 'region' | 'service' | 'method' | 'status'>;
  readonly upstreamDuration: Histogram<'cloud' | 'region' | 'service' | 'method' | 'status_class'>;
  readonly upstreamRetries: Counter<'cloud' | 'region' | 'service' | 'reason'>;
  readonly upstreamThrottled: Counter<'cloud' | 'region'>;
  readonly sharedReads: Counter<'cloud' | 'region' | 'result'>;
  readonly backendInFlight: Gauge<'backend'>;
  readonly rateLimit: Gauge<'cloud' | 'region'>;
  readonly rateLimitWait: Histogram<'cloud' | 'region'>;
  readonly rateLimitLowered: Counter<'cloud' | 'region'>;
  readonly rateLimitShared: Gauge<'cloud' | 'region'>;
  readonly bytesTotal: Counter<'cloud' | 'kind' | 'direction'>;
  #mesh?: () => MeshSnapshot;
  #pollers?: () => PollerSnapshot[];
  readonly #lastFailures = new Map<string, UpstreamFailure & { cloud: string; region: string }>();

  constructor(options: { nodeId?: string } = {}) {
    if (options.nodeId) this.registry.setDefaultLabels({ node: options.nodeId });
    const registers = [this.registry];
    this.rpcRequests = new Counter({
      name: 'oaktree_rpc_requests_total',
      help: 'gRPC calls served, by full method name and final status code.',
      labelNames: ['method', 'code'],
      registers,
    });
    this.rpcDuration = new Histogram({
      name: 'oaktree_rpc_duration_seconds',
      help: 'gRPC call duration (streams: until their last message), by method and code.',
      labelNames: ['method', 'code'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.rpcInFlight = new Gauge({
      name: 'oaktree_rpc_in_flight',
      help: 'gRPC calls in progress, by method (open watch streams and waiters included).',
      labelNames: ['method'],
      registers,
    });
    this.upstreamRequests = new Counter({
      name: 'oaktree_upstream_requests_total',
      help: 'HTTP requests to OpenStack, by cloud, region, service type, HTTP method and status (0: no answer).',
      labelNames: ['cloud', 'region', 'service', 'method', 'status'],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'oaktree_upstream_duration_seconds',
      help: 'HTTP request duration to OpenStack (retries included), by status class (2xx … 5xx, error).',
      labelNames: ['cloud', 'region', 'service', 'method', 'status_class'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.upstreamRetries = new Counter({
      name: 'oaktree_upstream_retries_total',
      help: 'Upstream requests sent again, by reason (HTTP 429, HTTP 503, connection).',
      labelNames: ['cloud', 'region', 'service', 'reason'],
      registers,
    });
    this.upstreamThrottled = new Counter({
      name: 'oaktree_upstream_throttled_total',
      help: 'HTTP 429 answers from a cloud.',
      labelNames: ['cloud', 'region'],
      registers,
    });
    this.sharedReads = new Counter({
      name: 'oaktree_shared_reads_total',
      help: 'Collection GETs by outcome: hit (a kept answer), coalesced (joined one in flight), miss (sent).',
      labelNames: ['cloud', 'region', 'result'],
      registers,
    });
    this.backendInFlight = new Gauge({
      name: 'oaktree_backend_in_flight',
      help: 'Calls a backend (cloud:NAME or peer:ADDRESS) is working on.',
      labelNames: ['backend'],
      registers,
    });
    this.rateLimit = new Gauge({
      name: 'oaktree_rate_limit_requests_per_second',
      help: 'The request rate a cloud-region is held to now (below the configured one after a 429).',
      labelNames: ['cloud', 'region'],
      registers,
    });
    this.rateLimitWait = new Histogram({
      name: 'oaktree_rate_limit_wait_seconds',
      help: 'Time a request waited for the per-cloud rate and concurrency limits.',
      labelNames: ['cloud', 'region'],
      buckets: [0, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.rateLimitLowered = new Counter({
      name: 'oaktree_rate_limit_lowered_total',
      help: 'Times a 429 lowered the rate of a cloud-region.',
      labelNames: ['cloud', 'region'],
      registers,
    });
    this.rateLimitShared = new Gauge({
      name: 'oaktree_rate_limit_shared',
      help: '1 while a cloud-region limit is shared by the replicas through Redis, 0 while Redis is out of reach (local limit only).',
      labelNames: ['cloud', 'region'],
      registers,
    });
    this.bytesTotal = new Counter({
      name: 'oaktree_bytes_total',
      help: 'Image and object data to and from clouds, by kind (image, object) and direction (upload: to the cloud, download: from it).',
      labelNames: ['cloud', 'kind', 'direction'],
      registers,
    });
    const mesh = () => this.#mesh?.();
    new Gauge({
      name: 'oaktree_peer_up',
      help: '1 while a peer node answers (some of its routes are reachable), else 0.',
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const peer of mesh()?.peers ?? []) this.set({ peer: peer.id }, peer.up ? 1 : 0);
      },
    });
    const pollers = () => this.pollers();
    const pollerGauge = (name: string, help: string, value: (row: PollerSnapshot) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['cloud', 'region'],
        registers,
        collect() {
          this.reset();
          for (const row of pollers()) {
            const v = value(row);
            if (v !== undefined) this.set({ cloud: row.cloud, region: row.region }, v);
          }
        },
      });
    pollerGauge(
      'oaktree_poller_interval_seconds',
      'The server poller interval in force for a cloud-region (fast while someone waits; absent while not polling).',
      (row) => row.intervalSeconds,
    );
    pollerGauge(
      'oaktree_poller_lag_seconds',
      "Age of the newest server poll a cloud-region's state reflects.",
      (row) => row.lagSeconds,
    );
    pollerGauge('oaktree_poller_servers_tracked', 'Servers the poller of a cloud-region knows.', (row) => row.servers);
    pollerGauge(
      'oaktree_poller_subscribers',
      'Waiters and watch streams listening to the server poller of a cloud-region.',
      (row) => row.subscribers,
    );
    pollerGauge(
      'oaktree_poller_leader',
      'With Redis: 1 while this replica leads the server poller of a cloud-region, 0 while another one does.',
      (row) => (row.leader === undefined ? undefined : row.leader ? 1 : 0),
    );
    new Gauge({
      name: 'oaktree_routes_known',
      help: 'Locations this node has a route to.',
      registers,
      collect() {
        this.set(mesh()?.routes ?? 0);
      },
    });
  }

  /** Where the mesh gauges read from (the router, once the node runs). */
  observeMesh(snapshot: () => MeshSnapshot): void {
    this.#mesh = snapshot;
  }

  /** Where the poller gauges read from (the node's watch hub). */
  observePollers(snapshot: () => PollerSnapshot[]): void {
    this.#pollers = snapshot;
  }

  /** The pollers per cloud-region now. */
  pollers(): PollerSnapshot[] {
    return this.#pollers?.() ?? [];
  }

  /** The last failed upstream request per cloud-region (status page). */
  lastFailures(): Array<UpstreamFailure & { cloud: string; region: string }> {
    return [...this.#lastFailures.values()];
  }

  /** A gauge read at scrape time, for services that keep their own counts (pollers, watch hub, Redis). */
  gaugeFrom(name: string, help: string, labelNames: string[], read: () => Array<[Record<string, string>, number]>) {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [labels, value] of read()) this.set(labels, value);
      },
    });
  }

  request(sample: UpstreamSample): void {
    const { cloud, region, service, method } = sample;
    const status = String(sample.status);
    this.upstreamRequests.inc({ cloud, region, service, method, status });
    const statusClass = sample.status === 0 ? 'error' : `${String(sample.status)[0]}xx`;
    this.upstreamDuration.observe({ cloud, region, service, method, status_class: statusClass }, sample.seconds);
    if (sample.status === 429) this.upstreamThrottled.inc({ cloud, region });
    // A failure: no answer, throttled, or the cloud's own error (4xx are mostly the caller's: a name not found).
    if (sample.status === 0 || sample.status === 429 || sample.status >= 500)
      this.#lastFailures.set(`${cloud}\0${region}`, {
        cloud,
        region,
        method,
        service,
        status: sample.status,
        at: new Date().toISOString(),
      });
  }

  bytes(labels: { cloud: string; kind: ByteKind; direction: ByteDirection }, count: number): void {
    this.bytesTotal.inc(labels, count);
  }

  retry(labels: { cloud: string; region: string; service: string; reason: string }): void {
    this.upstreamRetries.inc(labels);
  }

  sharedRead(labels: { cloud: string; region: string; result: 'hit' | 'miss' | 'coalesced' }): void {
    this.sharedReads.inc(labels);
  }

  /** The text exposition format, and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
