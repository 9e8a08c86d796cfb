// Which Neutron extensions a region has (GET /extensions, kept a few minutes in the node's cache): routers, tags
// (what request_id idempotency rests on), quota details, port security, address pairs, SNAT choice.
import type { NetworkCapabilities } from '../../../gen/oaktree/v1/capabilities.ts';
import type { RegionContext } from '../region.ts';

const TTL_MS = 10 * 60_000;

export async function neutronExtensions(ctx: RegionContext, signal?: AbortSignal): Promise<Set<string>> {
  const aliases = await ctx.services.cache.get(
    `${ctx.credentialKey}/neutron-extensions`,
    async () => {
      const res = await ctx.session.request('network', ctx.region, { method: 'GET', path: '/extensions', signal });
      const list = (res.body as { extensions?: Array<{ alias?: unknown }> }).extensions ?? [];
      return list.map((e) => String(e.alias));
    },
    { ttlMs: TTL_MS },
  );
  return new Set(aliases);
}

/** The NetworkCapabilities fields that come from the extension list. */
export async function networkExtensionCapabilities(
  ctx: RegionContext,
  hasNetwork: boolean,
  signal: AbortSignal,
): Promise<
  Pick<
    NetworkCapabilities,
    'routers' | 'tags' | 'quotaDetails' | 'portSecurity' | 'allowedAddressPairs' | 'snatConfigurable'
  >
> {
  const has = hasNetwork ? await neutronExtensions(ctx, signal) : new Set<string>();
  return {
    routers: has.has('router'),
    tags: has.has('standard-attr-tag'),
    quotaDetails: has.has('quota_details'),
    portSecurity: has.has('port-security'),
    allowedAddressPairs: has.has('allowed-address-pairs'),
    snatConfigurable: has.has('ext-gw-mode'),
  };
}
