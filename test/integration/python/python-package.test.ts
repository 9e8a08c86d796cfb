// The Python package (clients/python) built with pip and Debian's Python/gRPC, its unittest suite run against a
// live node serving simulated clouds.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT } from '../../support/node.ts';
import {
  packageSource,
  pipEnv,
  PYTHON,
  run,
  startPythonWorld,
  type PythonWorld,
  pythonSkip,
} from '../../support/python.ts';

const skip = pythonSkip;
let world: PythonWorld;
before(async () => {
  if (skip) return;
  world = await startPythonWorld();
});
after(async () => world?.close());

test('the oaktree Python package passes its tests against a live node', { timeout: 120_000, skip }, async () => {
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

test('a built wheel carries the generated stubs and py.typed', { timeout: 120_000, skip }, async () => {
  const dist = join(world.dir, 'dist');
  const source = await packageSource(join(world.dir, 'wheel'));
  const built = await run(
    PYTHON,
    ['-m', 'pip', 'wheel', '--quiet', '--no-build-isolation', '--no-deps', '-w', dist, source],
    { ...pipEnv(), OAKTREE_PROTO_DIR: join(ROOT, 'proto') },
  );
  assert.equal(built.code, 0, built.stderr);
  const [wheel] = await readdir(dist);
  assert.match(wheel!, /^oaktree-0\.1\.0-py3-none-any\.whl$/);
  const listed = await run(
    PYTHON,
    ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', join(dist, wheel!)],
    {},
  );
  const files = listed.stdout.split('\n');
  for (const file of [
    'oaktree/py.typed',
    'oaktree/v1/compute_pb2.py',
    'oaktree/v1/compute_pb2.pyi',
    'oaktree/v1/compute_pb2_grpc.py',
  ])
    assert.ok(files.includes(file), `${file} in the wheel`);
});
