// Small statistics and formatting helpers for the benchmark tables.

export function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

export const median = (values: number[]) => quantile(values, 0.5);
export const p99 = (values: number[]) => quantile(values, 0.99);

export function fmt(value: number | undefined, digits = 1): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const fmtInt = (value: number | undefined) => fmt(value, 0);

/** "met (1.12× ≤ 1.3×)" style verdicts: targets are reported, never asserted. */
export function verdict(met: boolean, detail: string): string {
  return `${met ? 'met' : 'MISSED'} (${detail})`;
}

/** An aligned markdown table. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}
