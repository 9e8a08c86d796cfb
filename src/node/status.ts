// What the status page shows, as JSON (GET /status.json on the metrics listener): this node's peers and whether
// they answer, the route table (location → hops → node path), and per cloud-region health from the metrics
// (upstream requests by outcome, 429s, shared-read hit rate, the last failed request, the server poller's interval,
// lag and servers tracked). Read fresh on every request.
import { describeLocation } from '../core/location.ts';
import type { Router } from '../mesh/router.ts';
import type { NodeMetrics, UpstreamFailure } from '../observability/metrics.ts';

export interface NodeStatus {
  nodeId: string;
  time: string;
  peers: Array<{ id: string; up: boolean; locations: number }>;
  routes: Array<{
    location: string;
    cloud: string;
    region: string;
    hops: number;
    /** Node ids from this node to the owner: [this node, …, owner]. */
    path: string[];
    backend: string;
    reachable: boolean;
  }>;
  health: Array<{
    cloud: string;
    region: string;
    requests: number;
    errors: number;
    throttled: number;
    sharedReadHitRate: number | null;
    rateLimit: number | null;
    /** The last failed request (no answer, 429, 5xx): method, service, status and time only. */
    lastError: UpstreamFailure | null;
    /** The server poller of the region, once anyone waited or watched there. */
    poller: { intervalSeconds: number | null; lagSeconds: number | null; serversTracked: number } | null;
  }>;
}

export async function nodeStatus(nodeId: string, router: Router, metrics?: NodeMetrics): Promise<NodeStatus> {
  const routes = [...router.routeTable().values()].map(({ route, backend }) => ({
    location: describeLocation(route.location),
    cloud: route.location.cloud,
    region: route.location.region,
    hops: route.hops,
    path: [nodeId, ...route.path],
    backend: backend.id,
    reachable: route.reachable !== false,
  }));
  routes.sort((a, b) => a.location.localeCompare(b.location));
  const peers = router
    .allBackends()
    .filter((backend) => !backend.local)
    .map((backend) => {
      const own = backend.routes();
      return { id: backend.id, up: own.some((r) => r.reachable !== false), locations: own.length };
    });
  return { nodeId, time: new Date().toISOString(), peers, routes, health: metrics ? await health(metrics) : [] };
}

async function health(metrics: NodeMetrics): Promise<NodeStatus['health']> {
  const rows = new Map<string, NodeStatus['health'][number]>();
  const row = (cloud: string, region: string) => {
    const key = `${cloud}\0${region}`;
    let found = rows.get(key);
    if (!found) {
      found = {
        cloud,
        region,
        requests: 0,
        errors: 0,
        throttled: 0,
        sharedReadHitRate: null,
        rateLimit: null,
        lastError: null,
        poller: null,
      };
      rows.set(key, found);
    }
    return found;
  };
  for (const { labels, value } of (await metrics.upstreamRequests.get()).values) {
    const r = row(String(labels.cloud), String(labels.region));
    r.requests += value;
    const status = Number(labels.status);
    if (status === 0 || status >= 500) r.errors += value;
    if (status === 429) r.throttled += value;
  }
  const reads = new Map<string, { shared: number; all: number }>();
  for (const { labels, value } of (await metrics.sharedReads.get()).values) {
    const key = `${labels.cloud}\0${labels.region}`;
    const counts = reads.get(key) ?? { shared: 0, all: 0 };
    counts.all += value;
    if (labels.result !== 'miss') counts.shared += value;
    reads.set(key, counts);
    row(String(labels.cloud), String(labels.region));
  }
  for (const [key, counts] of reads) rows.get(key)!.sharedReadHitRate = counts.all ? counts.shared / counts.all : null;
  for (const { labels, value } of (await metrics.rateLimit.get()).values)
    row(String(labels.cloud), String(labels.region)).rateLimit = value;
  for (const { cloud, region, ...failure } of metrics.lastFailures()) row(cloud, region).lastError = failure;
  for (const p of metrics.pollers())
    row(p.cloud, p.region).poller = {
      intervalSeconds: p.intervalSeconds ?? null,
      lagSeconds: p.lagSeconds ?? null,
      serversTracked: p.servers,
    };
  return [...rows.values()].sort((a, b) => `${a.cloud}/${a.region}`.localeCompare(`${b.cloud}/${b.region}`));
}
