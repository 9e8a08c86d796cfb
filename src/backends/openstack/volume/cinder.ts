// Small Cinder v3 calls shared by the volume handlers and the limits.
import { OaktreeError } from '../../../core/errors.ts';
import type { RegionContext } from '../region.ts';
import { exactlyOne, isNotFound, looksLikeId, type Query, type Raw } from '../network/neutron.ts';
import { GrpcStatus } from '../transport/index.ts';
import { type StatusKind, VOLUMES } from './status-feeds.ts';

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
 * Waits until `check` says so (true) or the volume reaches a failure (returns a message); undefined means it is
 * gone, which `check` may accept. Fed by the region's shared volume poller (status-feeds.ts): no per-call polling.
 */
export async function waitForVolume(
  ctx: RegionContext,
  id: string,
  what: string,
  check: (volume: Raw | undefined) => true | false | string,
  signal: AbortSignal,
  until: number,
  onChange?: (volume: Raw | undefined) => void | Promise<void>,
): Promise<Raw | undefined> {
  return waitUntil(ctx, VOLUMES, id, what, check, signal, until, onChange);
}

/** The same wait for any block-storage kind, with DEADLINE_EXCEEDED naming what it was waiting for. */
export async function waitUntil(
  ctx: RegionContext,
  kind: StatusKind,
  id: string,
  what: string,
  check: (raw: Raw | undefined) => true | false | string,
  signal: AbortSignal,
  until: number,
  onChange?: (raw: Raw | undefined) => void | Promise<void>,
): Promise<Raw | undefined> {
  const timeout = AbortSignal.timeout(Math.max(0, until - Date.now()));
  let last: Raw | undefined;
  try {
    return await ctx.services.blockStorage.wait(ctx, kind, id, check, AbortSignal.any([signal, timeout]), (raw) => {
      last = raw;
      return onChange?.(raw);
    });
  } catch (error) {
    if (!timeout.aborted || signal.aborted) throw error;
    throw new OaktreeError(
      GrpcStatus.DEADLINE_EXCEEDED,
      `${kind.noun} ${id} was still ${last?.status ?? 'there'} when the deadline came, waiting for it to be ${what}`,
    );
  }
}
