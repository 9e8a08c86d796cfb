// A server by name or id, as the network and volume calls that take one need it (raw Nova JSON).
import type { RegionContext } from '../region.ts';
import { exactlyOne, isNotFound, looksLikeId, type Raw } from './neutron.ts';

/** Nova's name filter is a regular expression: anchor and escape it to mean "exactly this name". */
function exactNameRegex(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

export async function findServerRaw(ctx: RegionContext, nameOrId: string, signal?: AbortSignal): Promise<Raw> {
  if (looksLikeId(nameOrId)) {
    try {
      const res = await ctx.session.request('compute', ctx.region, { method: 'GET', path: `/servers/${encodeURIComponent(nameOrId)}`, signal });
      const server = (res.body as { server?: Raw }).server;
      if (server) return server;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  const found: Raw[] = [];
  for await (const page of ctx.session.paginate('compute', ctx.region, '/servers/detail', 'servers', { query: { name: exactNameRegex(nameOrId) }, signal })) {
    for (const server of page) if (server.name === nameOrId) found.push(server);
  }
  return exactlyOne(ctx, 'server', nameOrId, found);
}
