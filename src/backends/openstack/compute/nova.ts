// Small helpers for talking to nova: microversion checks, ids, exact-name filters, not-found detection.
import { OaktreeError } from '../../../api/errors.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus, OpenStackHttpError } from '../transport/index.ts';

export type Raw = Record<string, any>;

/** Whether microversion `mv` ("2.79") is at least major.minor. */
export function mvAtLeast(mv: string, major: number, minor: number): boolean {
  const [a, b] = mv.split('.').map(Number);
  return a > major || (a === major && (b ?? 0) >= minor);
}

export function microversion(ctx: RegionContext, signal?: AbortSignal): Promise<string> {
  return ctx.session.computeMicroversion(ctx.region, signal);
}

/** A UUID (with or without dashes): worth a direct GET before searching by name. */
export function looksLikeId(value: string): boolean {
  return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(value);
}

/** Nova's name filter is a regular expression: anchored and escaped it means "exactly this name". */
export function exactNameFilter(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof OpenStackHttpError && error.status === 404;
}

/** GET that answers undefined on 404. */
export async function getOrUndefined(ctx: RegionContext, path: string, key: string, signal?: AbortSignal): Promise<Raw | undefined> {
  try {
    const res = await ctx.session.request('compute', ctx.region, { method: 'GET', path, signal });
    return (res.body as Raw)?.[key] as Raw | undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Exactly one match, else NOT_FOUND or INVALID_ARGUMENT naming every candidate. */
export function exactlyOne(kind: string, nameOrId: string, where: string, items: Raw[]): Raw {
  if (items.length === 1) return items[0];
  if (items.length === 0) throw new OaktreeError(GrpcStatus.NOT_FOUND, `no ${kind} named "${nameOrId}" (or with that id) in ${where}`);
  const names = items.map((i) => `${i.name || '(no name)'} (id ${i.id})`).join('; ');
  throw new OaktreeError(GrpcStatus.INVALID_ARGUMENT, `${items.length} ${kind}s match "${nameOrId}" in ${where}: ${names}; use an id`);
}

/** A NOT_FOUND during a create means the user named something that does not exist: INVALID_ARGUMENT. */
export function asInvalidArgument(error: unknown, what: string): unknown {
  const code = (error as { grpcCode?: number; code?: unknown }).grpcCode ?? (error as { code?: unknown }).code;
  if (code === GrpcStatus.NOT_FOUND) {
    return new OaktreeError(GrpcStatus.INVALID_ARGUMENT, `${what}: ${(error as Error).message}`);
  }
  return error;
}
