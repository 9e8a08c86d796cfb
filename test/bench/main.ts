// `npm run bench [-- --only fanout,hops,throughput,waiting,coldstart,security,objects,images,ratelimit]`: oaktree and openstacksdk on the same
// simulated clouds in the same run. Prints markdown tables, writes results/<date>.json and results/latest.md.
// Targets are reported as met or missed, never asserted: this never fails on a number.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineInfo, machineLine } from './lib/machine.ts';
import { nodeCommand, ROOT } from './lib/procs.ts';
import { ensureOpenstackSdk } from './lib/python.ts';
import { renderResult, type BenchResult } from './lib/report.ts';

const BENCHES: Record<string, (dir: string) => Promise<BenchResult>> = {
  fanout: async (dir) => (await import('./fanout.ts')).runFanout(dir),
  hops: async (dir) => (await import('./hops.ts')).runHops(dir),
  throughput: async (dir) => (await import('./throughput.ts')).runThroughput(dir),
  waiting: async (dir) => (await import('./waiting.ts')).runWaiting(dir),
  coldstart: async (dir) => (await import('./cold-start.ts')).runColdStart(dir),
  security: async (dir) => (await import('./security.ts')).runSecurity(dir),
  objects: async (dir) => (await import('./objects.ts')).runObjects(dir),
  images: async (dir) => (await import('./images.ts')).runImages(dir),
  ratelimit: async (dir) => (await import('./rate-limit.ts')).runRateLimit(dir),
};

const { values } = parseArgs({
  options: { only: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  strict: true,
});
if (values.help) {
  console.log(`usage: npm run bench [-- --only ${Object.keys(BENCHES).join(',')}] [--out DIR]`);
  process.exit(0);
}
const selected = values.only
  ? values.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  : Object.keys(BENCHES);
const unknown = selected.filter((s) => !BENCHES[s]);
if (unknown.length) {
  console.error(`unknown table(s) ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}

const started = Date.now();
const machine = machineInfo(ensureOpenstackSdk());
const command = nodeCommand();
const dir = await mkdtemp(join(tmpdir(), 'oaktree-bench-'));
const results: BenchResult[] = [];
const failures: Record<string, string> = {};
console.log(
  `## Benchmarks: oaktree vs openstacksdk\n\n${machineLine(machine)}\noaktree nodes run ${command.compiled ? 'compiled (dist/)' : 'from source through tsx (dist/ could not be built)'}.\n`,
);
try {
  for (const name of selected) {
    const t0 = Date.now();
    try {
      const result = await BENCHES[name](dir);
      results.push(result);
      console.log(renderResult(result));
    } catch (error) {
      // One table failing to run is reported, and the others still run.
      failures[name] = (error as Error).stack ?? String(error);
      console.log(`### ${name}\n\nnot measured: ${(error as Error).message}\n`);
    }
    process.stderr.write(`bench: ${name} took ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
const seconds = (Date.now() - started) / 1000;
console.log(`Whole run: ${seconds.toFixed(0)} s.`);

const outDir = values.out ?? join(ROOT, 'test/bench/results');
await mkdir(outDir, { recursive: true });
const stamp = machine.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
await writeFile(
  join(outDir, `${stamp}.json`),
  `${JSON.stringify({ machine, compiledNodes: command.compiled, selected, seconds, results: results.map(({ table: _t, ...r }) => r), failures }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
);
const snippet = [
  `${machineLine(machine)} Whole run ${seconds.toFixed(0)} s${selected.length < Object.keys(BENCHES).length ? ` (tables: ${selected.join(', ')})` : ''}.`,
  '',
  'Rerun with `npm run bench` (about 10 minutes on 2 cores; one table: `npm run bench -- --only fanout`). Raw numbers: `test/bench/results/*.json`.',
  '',
  ...results.map(renderResult),
].join('\n');
await writeFile(join(outDir, 'latest.md'), `${snippet}\n`);
process.exit(0);
