// WatchServers filters: the ListServers matcher applied to the region's change feed. A watch remembers which
// servers matched, so a server that stops matching gets one last MODIFIED event and its deletion is only told
// to watches that were showing it.
import { ListServersRequest, type WatchServersRequest } from '../../../gen/oaktree/v1/compute.ts';
import type { Change, RawServer } from '../../../cache/poller/types.ts';
import { microversion } from '../compute/nova.ts';
import { planServerFilters } from '../compute/server-filters.ts';
import type { RegionContext } from '../region.ts';

export interface WatchFilter {
  /** Whether a server of the snapshot is shown. */
  shows(raw: RawServer): boolean;
  /** Whether a change is told to this watch. */
  tells(change: Pick<Change, 'id' | 'type' | 'raw'>): boolean;
}

function filtered(request: WatchServersRequest): boolean {
  return (
    Object.keys(request.metadata).length > 0 ||
    request.tags.length > 0 ||
    request.tagsAny.length > 0 ||
    !!request.flavor ||
    !!request.image ||
    !!request.nameRegex ||
    request.status !== 0
  );
}

/** The watch's filter, with server_ids; FAILED_PRECONDITION for tag filters on clouds before 2.26. */
export async function watchFilter(
  region: RegionContext,
  request: WatchServersRequest,
  signal: AbortSignal,
): Promise<WatchFilter> {
  const ids = request.serverIds.length ? new Set(request.serverIds) : undefined;
  const inIds = (id: string) => !ids || ids.has(id);
  if (!filtered(request)) return { shows: (raw) => inIds(String(raw.id)), tells: (change) => inIds(change.id) };

  const plan = await planServerFilters(
    region,
    ListServersRequest.fromPartial({
      metadata: request.metadata,
      tags: request.tags,
      tagsAny: request.tagsAny,
      flavor: request.flavor,
      image: request.image,
      nameRegex: request.nameRegex,
      status: request.status,
    }),
    await microversion(region, signal),
    signal,
  );
  const matches = (raw: RawServer) => !plan.empty && plan.matches(raw as Record<string, any>);
  // On a resumed watch nothing is known yet: the first change of a server that does not match is told once.
  const showing = new Set<string>();
  return {
    shows(raw) {
      const shown = inIds(String(raw.id)) && matches(raw);
      if (shown) showing.add(String(raw.id));
      return shown;
    },
    tells(change) {
      if (!inIds(change.id)) return false;
      const was = showing.has(change.id);
      if (change.type === 'DELETED') {
        showing.delete(change.id);
        return was || matches(change.raw);
      }
      if (matches(change.raw)) {
        showing.add(change.id);
        return true;
      }
      showing.delete(change.id);
      return was;
    },
  };
}
