// Request counters per cloud / region / service / route template.
import type { RequestStats, RouteCount, ServiceName } from './types.ts';

/** One request as the simulator received it, with the time it arrived (epoch ms). */
export type RequestSeen = Omit<RouteCount, 'count'> & { at: number };

export class StatsRecorder {
  private counts = new Map<string, RouteCount>();
  private readonly listeners = new Set<(request: RequestSeen) => void>();

  /** Calls `listener` for every request from now on (tests that look at when requests came); returns the way to stop. */
  listen(listener: (request: RequestSeen) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  record(cloud: string, region: string, service: ServiceName | 'unknown', route: string): void {
    for (const listener of this.listeners) listener({ cloud, region, service, route, at: Date.now() });
    const key = `${cloud}\0${region}\0${service}\0${route}`;
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else this.counts.set(key, { cloud, region, service, route, count: 1 });
  }

  reset(): void {
    this.counts = new Map();
  }

  snapshot(): RequestStats {
    const entries = [...this.counts.values()].map((e) => ({ ...e }));
    const byCloud: Record<string, number> = {};
    const byService: Record<string, number> = {};
    const byRoute: Record<string, number> = {};
    let total = 0;
    for (const e of entries) {
      total += e.count;
      byCloud[e.cloud] = (byCloud[e.cloud] ?? 0) + e.count;
      byService[`${e.cloud}/${e.service}`] = (byService[`${e.cloud}/${e.service}`] ?? 0) + e.count;
      const routeKey = `${e.cloud}/${e.service} ${e.route}`;
      byRoute[routeKey] = (byRoute[routeKey] ?? 0) + e.count;
    }
    return { total, byCloud, byService, byRoute, entries, reset: () => this.reset() };
  }
}
