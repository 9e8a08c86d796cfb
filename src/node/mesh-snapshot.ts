// What the metrics (and the status page) read from a router at scrape time: peers up or down, routes known.
import type { Router } from '../mesh/router.ts';
import type { MeshSnapshot } from '../observability/metrics.ts';

export function meshSnapshot(router: Router): MeshSnapshot {
  const peers = router
    .allBackends()
    .filter((backend) => !backend.local)
    .map((backend) => ({ id: backend.id, up: backend.routes().some((route) => route.reachable !== false) }));
  return { peers, routes: router.routeTable().size };
}
