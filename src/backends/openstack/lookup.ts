// Finding one object by name or id, the same way for every service.
import { OaktreeError } from '../../core/errors.ts';
import { GrpcStatus } from './transport/index.ts';
import { echo } from '../../core/bounded-text.ts';

/** A UUID (with or without dashes): worth a direct GET before searching by name. */
export function looksLikeId(value: string): boolean {
  return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(value);
}

/** Nova's name filter is a regular expression: anchored and escaped it means "exactly this name". */
export function exactNameFilter(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

/** The one match: NOT_FOUND for none, INVALID_ARGUMENT naming every candidate for several. */
export function exactlyOne<T extends { name?: unknown; id?: unknown }>(
  kind: string,
  nameOrId: string,
  where: string,
  items: T[],
): T {
  if (items.length === 1) return items[0];
  if (items.length === 0)
    throw new OaktreeError(GrpcStatus.NOT_FOUND, `no ${kind} named "${echo(nameOrId)}" (or with that id) in ${where}`);
  const names = items.map((i) => `${i.name || '(no name)'} (id ${i.id})`).join('; ');
  throw new OaktreeError(
    GrpcStatus.INVALID_ARGUMENT,
    `${items.length} ${kind}s match "${echo(nameOrId)}" in ${where}: ${names}; use an id`,
  );
}
