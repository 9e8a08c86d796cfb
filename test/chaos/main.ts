// `npm run chaos -- --requests 10000 [--seed N] [--concurrency 16] [--only N] [--no-raw] [--max-string BYTES]`: fuzzes every RPC of the contract
// against a 2-node chain of child processes with simulated clouds and prints the report. Exit 1 on any finding.
import { parseArgs } from 'node:util';
import { CHAIN, startFleet } from './fleet.ts';
import { fuzz } from './fuzzer.ts';
import { randomSeed } from './prng.ts';
import { clean, formatReport } from './report.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    only: { type: 'string' },
    'no-raw': { type: 'boolean', default: false },
    'max-string': { type: 'string', default: String(1024 * 1024) },
  },
});
const seed = values.seed !== undefined ? Number(values.seed) : randomSeed();
const requests = Number(values.requests);
console.log(`chaos: seed ${seed} (rerun with --seed ${seed}), ${requests} requests`);

const fleet = await startFleet(CHAIN);
try {
  const report = await fuzz(
    fleet,
    CHAIN.flatMap((n) => Object.keys(n.clouds)),
    {
      seed,
      requests,
      concurrency: Number(values.concurrency),
      only: values.only !== undefined ? Number(values.only) : undefined,
      generate: { maxStringBytes: Number(values['max-string']), maxRepeated: 10_000, maxMessageBytes: 2 * 1024 * 1024 },
      raw: !values['no-raw'],
      callCapMs: 20_000,
      marginMs: 3000,
      progress: (done) => {
        if (done % 1000 === 0) console.log(`  ${done} requests`);
      },
    },
  );
  console.log(formatReport(report));
  process.exitCode = clean(report) ? 0 : 1;
} finally {
  await fleet.close();
}
