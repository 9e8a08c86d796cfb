// Rendering results the way the openstack CLI does: a table for humans (default), `value` (cells only, for shell
// loops), `csv`, or JSON / YAML for scripts; `-c COLUMN` picks columns, `--long` adds a view's extra columns,
// `--sort-column` orders rows. JSON and YAML carry the objects in proto3 JSON form (camelCase names, enum names,
// int64 as strings, RFC 3339 times) so they are stable to parse and feed back to any gRPC client; the other formats
// print enum values as words (ACTIVE, not SERVER_STATUS_ACTIVE). Everywhere, a `properties` value that holds a JSON
// object or array is printed as that value, not as a string of JSON.
import { stringify } from 'yaml';
import { enumWord } from './enum-words.ts';
import { flattenRecord, formatRecord, formatTable, type Column } from './table.ts';

export type Format = 'table' | 'json' | 'yaml' | 'value' | 'csv';
export const FORMATS: Format[] = ['table', 'json', 'yaml', 'value', 'csv'];

export interface View<T> {
  columns: Column<T>[];
  /** Extra columns `--long` adds after the usual ones (-c can name them without --long). */
  long?: Column<T>[];
  /** The proto3 JSON form of one object (ts-proto's MessageFns.toJSON). */
  toJSON: (object: T) => unknown;
}

/** How the command line shapes the output: -c, --long, --sort-column, --sort-descending. */
export interface RenderOptions {
  columns?: string[];
  long?: boolean;
  sortColumns?: string[];
  descending?: boolean;
}

/** A column name as the user may type it: NAME, name, Name, "fixed ips", fixed_ips and fixedIps are one. */
const normal = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

type Cell = string | number | boolean | undefined;

/** Output-ready JSON: properties holding JSON become values; enum names become words unless `keepEnums`. */
export function presentable(value: unknown, keepEnums: boolean, key = ''): unknown {
  if (typeof value === 'string') return keepEnums ? value : enumWord(value);
  if (Array.isArray(value)) return value.map((item) => presentable(item, keepEnums));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(value)) {
    out[name] = key === 'properties' ? parseJsonText(inner) : presentable(inner, keepEnums, name);
  }
  return out;
}

function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A JSON value as one cell: scalars as they are, lists of scalars joined, anything else as compact JSON. */
function jsonCell(value: unknown): Cell {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return enumWord(value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null))
    return value.map((item) => (typeof item === 'string' ? enumWord(item) : String(item))).join(', ');
  return JSON.stringify(presentable(value, false));
}

function findKey(plain: unknown, name: string): string | undefined {
  if (!plain || typeof plain !== 'object') return undefined;
  return Object.keys(plain).find((key) => normal(key) === normal(name));
}

/**
 * A field -c may name although proto3 JSON left it out for being empty (metadata {}, keyName ""): ts-proto objects
 * carry every field, so the object itself says which names are fields. Its JSON value is then the empty default.
 */
function emptyField(object: unknown, name: string): [string, unknown] | undefined {
  const key = findKey(object, name);
  if (key === undefined) return undefined;
  const value = (object as Record<string, unknown>)[key];
  const plainEmpty =
    value === null || typeof value !== 'object' || Array.isArray(value) || value.constructor === Object;
  return [key, plainEmpty ? value : null];
}

/**
 * The columns to print: the view's (plus --long's), or those -c names, in -c's order. A -c name that is no column
 * of the view but a field of the objects' JSON (metadata, keyName ...) becomes a column of that field.
 */
function resolveColumns<T>(view: View<T>, objects: readonly T[], options: RenderOptions): Column<T>[] {
  const all = [...view.columns, ...(view.long ?? [])];
  if (!options.columns?.length) return options.long ? all : view.columns;
  return options.columns.map((name) => resolveColumn(name, all, view, objects));
}

function resolveColumn<T>(name: string, all: Column<T>[], view: View<T>, objects: readonly T[]): Column<T> {
  const column = all.find((c) => normal(c.header) === normal(name));
  if (column) return column;
  const key = objects.map((object) => emptyField(object, name)?.[0]).find(Boolean);
  if (key || !objects.length) {
    const field = key ?? name;
    return {
      header: field.toUpperCase(),
      value: (row) => jsonCell((view.toJSON(row) as Record<string, unknown>)[field]),
    };
  }
  const known = [...all.map((c) => c.header), ...Object.keys((objects[0] as object) ?? {})];
  throw new RangeError(`unknown column "${name.slice(0, 40)}"; columns: ${[...new Set(known)].join(', ')}`);
}

function sortRows<T>(objects: T[], view: View<T>, options: RenderOptions): T[] {
  if (!options.sortColumns?.length) return objects;
  const all = [...view.columns, ...(view.long ?? [])];
  const keys = options.sortColumns.map((name) => resolveColumn(name, all, view, objects));
  const direction = options.descending ? -1 : 1;
  const sortValue = (key: Column<T>, row: T) => (key.sortKey ? key.sortKey(row) : key.value(row));
  const compare = (a: string | number | boolean | undefined, b: typeof a) =>
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : String(a ?? '').localeCompare(String(b ?? ''), undefined, { numeric: true });
  return [...objects].sort((a, b) => {
    for (const key of keys) {
      const order = compare(sortValue(key, a), sortValue(key, b));
      if (order) return order * direction;
    }
    return 0;
  });
}

const rawCell = (value: Cell) => (value === undefined ? '' : String(value).replace(/\s*\n\s*/g, ', '));
const csvField = (value: string) => `"${value.replace(/"/g, '""')}"`;
const csvLine = (values: string[]) => `${values.map(csvField).join(',')}\n`;

function renderJson(plain: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(plain, null, 2)}\n` : stringify(plain);
}

/** The JSON of one object cut to the -c columns (by JSON field, else by the table column of that name). */
function pickJson<T>(object: T, view: View<T>, columns: string[] | undefined): unknown {
  const plain = presentable(view.toJSON(object), true) as Record<string, unknown>;
  if (!columns?.length) return plain;
  const out: Record<string, unknown> = {};
  for (const name of columns) {
    const key = findKey(plain, name);
    const empty = emptyField(object, name);
    const column = [...view.columns, ...(view.long ?? [])].find((c) => normal(c.header) === normal(name));
    if (key) out[key] = plain[key];
    else if (empty) out[empty[0]] = empty[1];
    else if (column) out[column.header.toLowerCase()] = column.value(object);
    else
      throw new RangeError(
        `unknown column "${name.slice(0, 40)}"; fields: ${Object.keys(object as object).join(', ')}`,
      );
  }
  return out;
}

export function renderList<T>(
  objects: readonly T[],
  view: View<T>,
  format: Format,
  options: RenderOptions = {},
): string {
  const rows = sortRows([...objects], view, options);
  if (format === 'json' || format === 'yaml') {
    return renderJson(
      rows.map((row) => pickJson(row, view, options.columns)),
      format,
    );
  }
  const columns = resolveColumns(view, rows, options);
  if (format === 'table') return rows.length ? formatTable(rows, columns) : '';
  const cells = rows.map((row) => columns.map((column) => rawCell(column.value(row))));
  if (format === 'value') return cells.map((line) => `${line.join(' ')}\n`).join('');
  return [csvLine(columns.map((c) => c.header)), ...cells.map(csvLine)].join('');
}

export function renderOne<T>(
  object: T,
  view: Pick<View<T>, 'toJSON'>,
  format: Format,
  options: RenderOptions = {},
): string {
  const plain = view.toJSON(object) as Record<string, unknown>;
  const picked = (keepEnums: boolean) => {
    const shown = presentable(plain, keepEnums) as Record<string, unknown>;
    if (!options.columns?.length) return shown;
    const out: Record<string, unknown> = {};
    for (const name of options.columns) {
      const key = findKey(shown, name);
      const empty = emptyField(object, name);
      if (key) out[key] = shown[key];
      else if (empty) out[empty[0]] = empty[1];
      else
        throw new RangeError(
          `unknown field "${name.slice(0, 40)}"; fields: ${Object.keys(object as object).join(', ')}`,
        );
    }
    return out;
  };
  if (format === 'json' || format === 'yaml') return renderJson(picked(true), format);
  const record = picked(false);
  if (format === 'table') return formatRecord(record);
  const fields = Object.entries(flattenRecord(record));
  if (format === 'value') return fields.map(([, value]) => `${value}\n`).join('');
  return [csvLine(['Field', 'Value']), ...fields.map(([key, value]) => csvLine([key, value]))].join('');
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
