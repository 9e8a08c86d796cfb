// One table's result as main.ts prints and stores it.
export interface BenchResult {
  name: string;
  title: string;
  table: string;
  targets: string[];
  notes: string[];
  raw: unknown;
}

export function renderResult(r: BenchResult): string {
  const lines = [`### ${r.title}`, '', r.table, ''];
  if (r.targets.length) lines.push(...r.targets.map((t) => `- ${t}`), '');
  if (r.notes.length) lines.push(...r.notes.map((n) => `> ${n}`), '');
  return lines.join('\n');
}
