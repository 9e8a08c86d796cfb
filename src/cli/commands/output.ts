// Rendering results: a table for humans (default), or JSON / YAML for scripts. JSON and YAML carry the objects in
// proto3 JSON form (camelCase names, enum names, int64 as strings, RFC 3339 times) so they are stable to parse.
import { stringify } from 'yaml';
import { formatRecord, formatTable, type Column } from './table.ts';

export type Format = 'table' | 'json' | 'yaml';
export const FORMATS: Format[] = ['table', 'json', 'yaml'];

export interface View<T> {
  columns: Column<T>[];
  /** The proto3 JSON form of one object (ts-proto's MessageFns.toJSON). */
  toJSON: (object: T) => unknown;
}

export function renderList<T>(objects: readonly T[], view: View<T>, format: Format): string {
  if (format === 'table') return objects.length ? formatTable(objects, view.columns) : '';
  const plain = objects.map((object) => view.toJSON(object));
  return format === 'json' ? `${JSON.stringify(plain, null, 2)}\n` : stringify(plain);
}

export function renderOne<T>(object: T, view: Pick<View<T>, 'toJSON'>, format: Format): string {
  const plain = view.toJSON(object) as Record<string, unknown>;
  if (format === 'table') return formatRecord(plain);
  return format === 'json' ? `${JSON.stringify(plain, null, 2)}\n` : stringify(plain);
}

export const where = (location: { cloud: string; region: string; zone: string } | undefined) => ({
  cloud: location?.cloud ?? '',
  region: location?.region ?? '',
  zone: location?.zone ?? '',
});

export function formatBytes(bytes: number | bigint): string {
  const n = Number(bytes);
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
