// Reading servers: ListServers (streamed page by page) and finding one server by name or id.
import type { CallContext } from '../../../core/call-context.ts';
import type { ListServersRequest, Server } from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { describeLocation } from '../../../core/location.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { exactlyOne, exactNameFilter, getOrUndefined, looksLikeId, microversion, type Raw } from './nova.ts';
import { whole } from '../../../wire/message-encoding.ts';
import { planServerFilters } from './server-filters.ts';
import { serverNormalizer } from './server-view.ts';

/** One server by id; undefined when nova says it does not exist (or only as DELETED). */
export async function getServerRaw(ctx: RegionContext, id: string, signal?: AbortSignal): Promise<Raw | undefined> {
  const raw = await getOrUndefined(ctx, `/servers/${encodeURIComponent(id)}`, 'server', signal);
  return raw && raw.status !== 'DELETED' ? raw : undefined;
}

/** Servers with exactly this name (nova's filter is a regex and matches substrings: check again). */
export async function serversNamed(ctx: RegionContext, name: string, signal?: AbortSignal): Promise<Raw[]> {
  const found: Raw[] = [];
  const query = { name: exactNameFilter(name) };
  for await (const page of ctx.session.paginate('compute', ctx.region, '/servers/detail', 'servers', {
    query,
    signal,
  })) {
    for (const raw of page) if (raw.name === name) found.push(raw);
  }
  return found;
}

/** A server by id or exact name: NOT_FOUND, or INVALID_ARGUMENT naming every candidate. */
export async function findServerRaw(ctx: RegionContext, nameOrId: string, signal?: AbortSignal): Promise<Raw> {
  if (looksLikeId(nameOrId)) {
    const byId = await getServerRaw(ctx, nameOrId, signal);
    if (byId) return byId;
  }
  return exactlyOne('server', nameOrId, describeLocation(ctx.location), await serversNamed(ctx, nameOrId, signal));
}

/**
 * A page's servers go on in batches of this many, each normalized as its batch is taken: the layers up to the
 * caller cost once per batch, and few normalized servers live at once (what survives a young-generation GC is what
 * it costs).
 */
const SERVERS_PER_BATCH = 64;

/**
 * The next page's servers that match, in an array of the handler's own (never a page's array itself: a read
 * shared with other callers hands them the same one), or undefined after the last page.
 */
async function nextMatching(
  pages: AsyncIterator<Record<string, unknown>[]>,
  plan: { matches: (raw: Record<string, unknown>) => boolean },
): Promise<Record<string, unknown>[] | undefined> {
  for (let next = await pages.next(); !next.done; next = await pages.next()) {
    const matching = next.value.filter(plan.matches);
    if (matching.length) return matching;
  }
  return undefined;
}

export function listServersHandler(resolve: RegionResolver) {
  return async function* listServers(
    request: ListServersRequest,
    target: Location,
    call: CallContext,
  ): AsyncGenerator<Server | Server[]> {
    const ctx = await resolve(target);
    const signal = call.signal;
    const plan = await planServerFilters(ctx, request, await microversion(ctx, signal), signal);
    if (plan.empty) return;

    if (request.nameOrId && looksLikeId(request.nameOrId)) {
      const byId = await getServerRaw(ctx, request.nameOrId, signal);
      if (byId) {
        if (plan.matches(byId)) yield (await serverNormalizer(ctx, [byId], signal))(byId);
        return;
      }
    }
    // One upstream page at a time: the first servers reach the client while nova is still paging.
    const pages = ctx.session.paginate('compute', ctx.region, '/servers/detail', 'servers', {
      query: plan.query,
      signal,
    });
    try {
      for (let matching = await nextMatching(pages, plan); matching; matching = await nextMatching(pages, plan)) {
        const normalize = await serverNormalizer(ctx, matching, signal);
        for (let at = 0; at < matching.length; at += SERVERS_PER_BATCH) {
          const batch = whole(matching.slice(at, at + SERVERS_PER_BATCH).map(normalize));
          // Let go of each nova server once it is normalized: the rest of the page is not kept alive by it.
          matching.fill(undefined as never, at, at + SERVERS_PER_BATCH);
          yield batch;
        }
      }
    } finally {
      await pages.return(undefined);
    }
  };
}
