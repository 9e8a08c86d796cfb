// Cinder calls that change one volume: PUT, metadata, and POST /volumes/{id}/action (os-extend, os-retype,
// os-set_bootable, os-update_readonly_flag), as openstacksdk's block storage proxy makes them.
import type { RegionContext } from '../region.ts';
import type { Raw } from './status-feeds.ts';

/** Extending an attached volume needs this Cinder microversion (online extend). */
export const ONLINE_EXTEND_MICROVERSION = '3.42';

export async function volumeAction(
  ctx: RegionContext,
  id: string,
  action: Raw,
  signal: AbortSignal,
  microversion?: string,
): Promise<void> {
  await ctx.session.request('block-storage', ctx.region, {
    method: 'POST',
    path: `/volumes/${encodeURIComponent(id)}/action`,
    body: action,
    headers: microversion ? { 'OpenStack-API-Version': `volume ${microversion}` } : undefined,
    signal,
  });
}

export async function putVolume(ctx: RegionContext, id: string, fields: Raw, signal: AbortSignal): Promise<void> {
  await ctx.session.request('block-storage', ctx.region, {
    method: 'PUT',
    path: `/volumes/${encodeURIComponent(id)}`,
    body: { volume: fields },
    signal,
  });
}

/** Merges keys into a volume's or snapshot's metadata (POST .../metadata keeps the keys not named). */
export async function mergeMetadata(
  ctx: RegionContext,
  collection: 'volumes' | 'snapshots',
  id: string,
  metadata: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  await ctx.session.request('block-storage', ctx.region, {
    method: 'POST',
    path: `/${collection}/${encodeURIComponent(id)}/metadata`,
    body: { metadata },
    signal,
  });
}

export async function removeMetadataKey(ctx: RegionContext, id: string, key: string, signal: AbortSignal) {
  await ctx.session.request('block-storage', ctx.region, {
    method: 'DELETE',
    path: `/volumes/${encodeURIComponent(id)}/metadata/${encodeURIComponent(key)}`,
    signal,
  });
}
