// Request counters per cloud / region / service / route template.
import type { RequestStats, RouteCount, ServiceName } from './types.ts';

export class StatsRecorder {
  private counts = new Map<string, RouteCount>();

  record(cloud: string, region: string, service: ServiceName | 'unknown', route: string): void {
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
