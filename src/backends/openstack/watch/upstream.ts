// The poller's upstream call for one region: nova's /servers/detail, all of it or only what changed since a
// time (changes-since, which also returns recently deleted servers), every page followed.
import type { UpstreamFetch } from '../../../cache/poller/types.ts';
import type { CloudSession } from '../transport/index.ts';

/** What listing a region's servers needs (a RegionContext has it). */
export interface ListingRegion {
  region: string;
  session: Pick<CloudSession, 'paginate'>;
}

export function serverListFetch(ctx: ListingRegion, pageSize?: number): UpstreamFetch {
  // The poller is where freshness comes from: a kept shared answer (same changes-since anchor, same URL) would
  // hide a server created since, and a waiter for it would be told NOT_FOUND.
  return (since, signal) =>
    ctx.session.paginate('compute', ctx.region, '/servers/detail', 'servers', {
      fresh: true,
      query: since ? { 'changes-since': since.toISOString() } : {},
      limit: pageSize,
      signal,
    });
}
