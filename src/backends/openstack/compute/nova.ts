// Small helpers for talking to nova: microversion checks, ids, exact-name filters, not-found detection.
import { OaktreeError } from '../../../core/errors.ts';
import type { RegionContext } from '../region.ts';
import { exactlyOne, exactNameFilter, looksLikeId } from '../lookup.ts';
import { GrpcStatus, isNotFound } from '../transport/index.ts';

export type Raw = Record<string, any>;

/** Whether microversion `mv` ("2.79") is at least major.minor. */
export function mvAtLeast(mv: string, major: number, minor: number): boolean {
  const [a, b] = mv.split('.').map(Number);
  return a > major || (a === major && (b ?? 0) >= minor);
}

export function microversion(ctx: RegionContext, signal?: AbortSignal): Promise<string> {
  return ctx.session.computeMicroversion(ctx.region, signal);
}

/** GET that answers undefined on 404. */
export async function getOrUndefined(
  ctx: RegionContext,
  path: string,
  key: string,
  signal?: AbortSignal,
): Promise<Raw | undefined> {
  try {
    const res = await ctx.session.request('compute', ctx.region, { method: 'GET', path, signal });
    return (res.body as Raw)?.[key] as Raw | undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Exactly one match, else NOT_FOUND or INVALID_ARGUMENT naming every candidate. */
/** A NOT_FOUND during a create means the user named something that does not exist: INVALID_ARGUMENT. */
export function asInvalidArgument(error: unknown, what: string): unknown {
  const code = (error as { grpcCode?: number; code?: unknown }).grpcCode ?? (error as { code?: unknown }).code;
  if (code === GrpcStatus.NOT_FOUND) {
    return new OaktreeError(GrpcStatus.INVALID_ARGUMENT, `${what}: ${(error as Error).message}`);
  }
  return error;
}

export { exactlyOne, exactNameFilter, isNotFound, looksLikeId };
