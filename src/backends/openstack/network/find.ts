// Finding a network by name or id (for servers' NICs, floating IP pools, clouds.yaml names).
import type { RegionContext } from '../region.ts';
import { exactlyOne, neutronByNameOrId, type Raw } from './neutron.ts';

export async function findNetworkRaw(ctx: RegionContext, nameOrId: string, signal?: AbortSignal): Promise<Raw> {
  const found: Raw[] = [];
  for await (const item of neutronByNameOrId(ctx, 'network', 'networks', nameOrId, {}, signal)) found.push(item);
  return exactlyOne(ctx, 'network', nameOrId, found);
}

/** NOT_FOUND when no network matches; INVALID_ARGUMENT naming the candidates when several do. */
export async function findNetwork(
  ctx: RegionContext,
  nameOrId: string,
  signal?: AbortSignal,
): Promise<{ id: string; name: string }> {
  const raw = await findNetworkRaw(ctx, nameOrId, signal);
  return { id: String(raw.id), name: typeof raw.name === 'string' ? raw.name : '' };
}
