// The chaos run's report: a table a person reads, with every finding and the request that caused it.
import type { FuzzReport } from './fuzzer.ts';

const mib = (v?: number) => (v === undefined ? '—' : v.toFixed(1));

export function formatReport(report: FuzzReport): string {
  const lines = [
    `## chaos: ${report.requests} requests, seed ${report.seed}, ${(report.durationMs / 1000).toFixed(1)} s`,
    '',
    '| requests | crashes | hangs | UNKNOWN | INTERNAL (decoded) | INTERNAL (undecodable) | duration s |',
    '| -------- | ------- | ----- | ------- | ------------------ | ---------------------- | ---------- |',
    `| ${report.requests} | ${report.crashes.length} | ${count(report, 'hang')} | ${count(report, 'UNKNOWN')} | ${count(report, 'INTERNAL')} | ${report.internalUndecoded} | ${(report.durationMs / 1000).toFixed(1)} |`,
    '',
    '| code | calls |',
    '| ---- | ----- |',
    ...Object.entries(report.byCode)
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `| ${code} | ${n} |`),
    '',
    '| node | RSS before MiB | RSS after MiB | fds before | fds after | health |',
    '| ---- | -------------- | ------------- | ---------- | --------- | ------ |',
    ...report.nodes.map(
      (n) =>
        `| ${n.id} | ${mib(n.rssBeforeMiB)} | ${mib(n.rssAfterMiB)} | ${n.fdsBefore ?? '—'} | ${n.fdsAfter ?? '—'} | ${n.health} |`,
    ),
  ];
  if (report.crashes.length) lines.push('', 'Crashes:', ...report.crashes.map((c) => `- ${c}`));
  if (report.findings.length) {
    lines.push('', `Findings (replay one with --seed ${report.seed} --only <#>):`);
    for (const f of report.findings) lines.push(`- ${f.kind}: ${f.request}`, `    → ${f.outcome}`);
  }
  return lines.join('\n');
}

function count(report: FuzzReport, kind: string): number {
  return report.findings.filter((f) => f.kind === kind).length;
}

/** True when the run found nothing the "done when" forbids. */
export function clean(report: FuzzReport): boolean {
  return (
    report.crashes.length === 0 && report.findings.length === 0 && report.nodes.every((n) => n.health === 'SERVING')
  );
}
