// A small table formatter for humans: left-aligned columns padded to the widest cell, a header line, no borders
// (easy to read, easy to grep and cut). Multi-line values are joined with ", " to keep one row per object.

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | undefined;
  /** What --sort-column compares when the printed value does not sort right (sizes printed as "1.5 GiB"). */
  sortKey?: (row: T) => string | number;
}

function cell(value: string | number | boolean | undefined): string {
  if (value === undefined || value === '') return '-';
  return String(value).replace(/\s*\n\s*/g, ', ');
}

export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row))));
  const headers = columns.map((column) => column.header);
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => (i === values.length - 1 ? value : value.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...cells.map(line)].join('\n')}\n`;
}

/** One object as FIELD / VALUE lines, for `show` and the result of a write. */
export function formatRecord(record: Record<string, unknown>): string {
  const entries = Object.entries(flattenRecord(record));
  const width = Math.max(5, ...entries.map(([key]) => key.length));
  return `${entries.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n')}\n`;
}

/** Nested JSON as dotted keys: location.cloud, flavor.name ... Arrays of scalars joined with ", ". */
export function flattenRecord(
  value: Record<string, unknown>,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  for (const [key, inner] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (inner === null || inner === undefined) continue;
    if (Array.isArray(inner)) {
      if (inner.every((item) => typeof item !== 'object' || item === null)) out[name] = inner.join(', ');
      else inner.forEach((item, i) => flattenRecord(item as Record<string, unknown>, `${name}[${i}]`, out));
    } else if (typeof inner === 'object') {
      flattenRecord(inner as Record<string, unknown>, name, out);
    } else {
      out[name] = String(inner);
    }
  }
  return out;
}
