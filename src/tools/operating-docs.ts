// Generates the two reference parts of docs/operating.md: the node config reference (from
// src/node/config-reference.ts, which a test holds to the parser) and the metrics list (from the metrics a node
// registers). They sit between `<!-- generated:NAME -->` markers; the prose around them is written by hand.
// `npm run docs:operating` rewrites them; `--check` exits 1 when the committed page is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_CONFIG_REFERENCE } from '../node/config-reference.ts';
import { NodeMetrics } from '../observability/metrics.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
export const OPERATING_DOC = join(ROOT, 'docs/operating.md');

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function configReference(): string {
  const out: string[] = [];
  for (const section of NODE_CONFIG_REFERENCE) {
    out.push(`#### ${section.path ? `\`${section.path}\`` : 'Top level'}`, '');
    if (section.doc) out.push(section.doc, '');
    out.push('| key | type | default | meaning |', '|---|---|---|---|');
    for (const s of section.settings)
      out.push(`| \`${s.key}\` | ${cell(s.type)} | ${s.default ? cell(s.default) : '–'} | ${cell(s.doc)} |`);
    out.push('');
  }
  return out.join('\n').trimEnd();
}

export function metricsReference(): string {
  const out = ['| metric | type | labels | meaning |', '|---|---|---|---|'];
  for (const metric of new NodeMetrics().registry.getMetricsAsArray()) {
    const { name, help, type, labelNames } = metric as unknown as {
      name: string;
      help: string;
      type: string;
      labelNames: string[];
    };
    const labels = labelNames.map((label) => `\`${label}\``).join(', ') || '–';
    out.push(`| \`${name}\` | ${type} | ${labels} | ${cell(help)} |`);
  }
  out.push('', 'Every series also carries `node` (the node id). Histograms come with `_bucket`, `_sum` and `_count`.');
  return out.join('\n');
}

/** The page with its generated blocks replaced. */
export function renderOperatingDoc(current: string): string {
  const blocks: Record<string, string> = { 'config-reference': configReference(), metrics: metricsReference() };
  let page = current;
  for (const [name, body] of Object.entries(blocks)) {
    const pattern = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!pattern.test(page)) throw new Error(`docs/operating.md has no <!-- generated:${name} --> block`);
    page = page.replace(pattern, (_m, open: string, close: string) => `${open}${body}\n${close}`);
  }
  return page;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const current = readFileSync(OPERATING_DOC, 'utf8');
  const wanted = renderOperatingDoc(current);
  if (process.argv.includes('--check')) {
    if (wanted !== current) {
      process.stderr.write('docs/operating.md is stale: run npm run docs:operating\n');
      process.exit(1);
    }
  } else writeFileSync(OPERATING_DOC, wanted);
}
