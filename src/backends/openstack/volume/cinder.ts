// Small Cinder v3 calls shared by the volume handlers and the limits.
import { OaktreeError } from '../../../core/errors.ts';
import { delay } from 'abort-controller-x';
import type { RegionContext } from '../region.ts';
import { exactlyOne, isNotFound, looksLikeId, type Query, type Raw } from '../network/neutron.ts';
import { GrpcStatus } from '../transport/index.ts';

const PAGE = 500;

export async function* cinderList(ctx: RegionContext, query: Query = {}, signal?: AbortSignal): AsyncGenerator<Raw> {
  for await (const page of ctx.session.paginate('block-storage', ctx.region, '/volumes/detail', 'volumes', {
    query,
    limit: PAGE,
    signal,
  })) {
    yield* page;
  }
}

export async function cinderGet(ctx: RegionContext, id: string, signal?: AbortSignal): Promise<Raw | undefined> {
  try {
    const res = await ctx.session.request('block-storage', ctx.region, {
      method: 'GET',
      path: `/volumes/${encodeURIComponent(id)}`,
      signal,
    });
    return (res.body as { volume: Raw }).volume;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function* cinderByNameOrId(
  ctx: RegionContext,
  nameOrId: string,
  query: Query,
  signal?: AbortSignal,
): AsyncGenerator<Raw> {
  if (looksLikeId(nameOrId)) {
    const volume = await cinderGet(ctx, nameOrId, signal);
    if (volume && Object.entries(query).every(([k, v]) => v === undefined || String(volume[k]) === String(v))) {
      yield volume;
      return;
    }
  }
  yield* cinderList(ctx, { ...query, name: nameOrId }, signal);
}

export async function findVolumeRaw(ctx: RegionContext, nameOrId: string, signal?: AbortSignal): Promise<Raw> {
  const found: Raw[] = [];
  for await (const volume of cinderByNameOrId(ctx, nameOrId, {}, signal)) found.push(volume);
  return exactlyOne(ctx, 'volume', nameOrId, found);
}

/** Until when a wait may run: the caller's deadline, else a generous default (volumes from images are slow). */
export function waitDeadline(deadline: Date | undefined, defaultMs = 30 * 60_000): number {
  return deadline?.getTime() ?? Date.now() + defaultMs;
}

/**
 * Polls a volume until `done` says so (true) or it reaches a failure (returns a message); undefined from the GET
 * means it is gone, which `done` may accept. Backs off from 250 ms to 2 s.
 */
export async function waitForVolume(
  ctx: RegionContext,
  id: string,
  what: string,
  check: (volume: Raw | undefined) => true | false | string,
  signal: AbortSignal,
  until: number,
): Promise<Raw | undefined> {
  let wait = 250;
  while (true) {
    const volume = await cinderGet(ctx, id, signal);
    const verdict = check(volume);
    if (verdict === true) return volume;
    if (typeof verdict === 'string') throw new OaktreeError(GrpcStatus.ABORTED, verdict);
    if (Date.now() + wait > until) {
      throw new OaktreeError(
        GrpcStatus.DEADLINE_EXCEEDED,
        `volume ${id} was still ${volume?.status ?? 'there'} when the deadline came, waiting for it to be ${what}`,
      );
    }
    await delay(signal, wait);
    wait = Math.min(wait * 2, 2000);
  }
}
