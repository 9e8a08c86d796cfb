// The Python package (clients/python) built with pip and Debian's Python/gRPC, its unittest suite run against a
// live node serving simulated clouds.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PYTHON, run, startPythonWorld, type PythonWorld } from '../../support/python.ts';

let world: PythonWorld;
before(async () => {
  world = await startPythonWorld();
});
after(async () => world?.close());

test('the oaktree Python package passes its tests against a live node', { timeout: 120_000 }, async () => {
  const result = await run(PYTHON, ['-m', 'unittest', 'discover', '-v', '-s', 'clients/python/tests'], {
    PYTHONPATH: world.sitePackages,
    PYTHONDONTWRITEBYTECODE: '1',
    OAKTREE_ENDPOINT: world.endpoint,
    OAKTREE_SIM_CONTROL: world.controlUrl,
    OAKTREE_TEST_PREFIX: 's3-python',
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^OK$/m);
  assert.doesNotMatch(result.stderr, /skipped/);
});
