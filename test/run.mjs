#!/usr/bin/env node
// Runs the test tiers named on the command line (unit, integration, real) with Node's test runner.
// Files are listed explicitly: Node 20 does not expand globs and sh's ** only goes one level deep.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const tiers = process.argv.slice(2);
if (tiers.length === 0) {
  console.error('usage: node test/run.mjs <unit|integration|real>...');
  process.exit(2);
}

function testFiles(dir) {
  let found = [];
  let entries;
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return found;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found = found.concat(testFiles(path));
    else if (name.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found;
}

const files = tiers.flatMap((tier) => testFiles(join(root, 'test', tier)));
if (files.length === 0) {
  console.error(`no test files under ${tiers.map((t) => `test/${t}`).join(', ')}`);
  process.exit(1);
}
// The real tier shares one small OpenStack (its quotas, one fake compute host): its files run one at a time.
const concurrency = process.env.OAKTREE_TEST_CONCURRENCY ?? (tiers.includes('real') ? '1' : '2');
// No test may hang the run: one that has not finished in this time fails. Node 20 applies it to each file as a
// whole too, so it is sized for the longest file under load (image.test.ts took > 120 s with two CPU hogs).
const timeoutMs = process.env.OAKTREE_TEST_TIMEOUT_MS ?? '240000';
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--enable-source-maps',
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${timeoutMs}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
