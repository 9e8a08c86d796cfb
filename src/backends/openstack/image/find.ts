// Finding an image by name or id (for servers and volumes made from images).
import type { RegionContext } from '../region.ts';
import { findImageRaw } from './glance.ts';

/** NOT_FOUND when no image matches; INVALID_ARGUMENT naming the candidates when several do. */
export async function findImage(
  ctx: RegionContext,
  nameOrId: string,
  signal?: AbortSignal,
): Promise<{ id: string; name: string; minDiskGb: number; status: string }> {
  const raw = await findImageRaw(ctx, nameOrId, signal);
  return {
    id: String(raw.id),
    name: typeof raw.name === 'string' ? raw.name : '',
    minDiskGb: typeof raw.min_disk === 'number' ? raw.min_disk : Number(raw.min_disk ?? 0) || 0,
    status: typeof raw.status === 'string' ? raw.status : '',
  };
}
