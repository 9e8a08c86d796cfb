// .ci/run must export CI before the tests run: without it, tests that need a missing system program (Python,
// ansible-core, redis-server ...) skip instead of failing, and a CI machine without them passes.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';

describe('.ci/run', { timeout: 10_000 }, () => {
  it('exports CI=true before any npm command', async () => {
    const lines = (await readFile(new URL('../../../.ci/run', import.meta.url), 'utf8')).split('\n');
    const exported = lines.findIndex((line) => /^export CI=(true|1)$/.test(line));
    const firstNpm = lines.findIndex((line) => /^npm /.test(line));
    assert.ok(exported >= 0, '.ci/run does not export CI');
    assert.ok(firstNpm > exported, 'CI is exported only after the first npm command');
  });
});
