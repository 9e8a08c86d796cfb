// The nodepool-shaped driver example (examples/nodepool-driver) against a live node on the simulated clouds: it
// launches, waits with one watch, cleans an injected leak, deletes, and counts the clouds' requests; the same
// flow with openstacksdk straight to the same simulator is counted beside it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PYTHON, run, startPythonWorld, type PythonWorld, pythonSkip } from '../../support/python.ts';
import { skipUnlessInstalled } from '../../support/system-parts.ts';

const skip =
  pythonSkip ||
  skipUnlessInstalled(
    ['/usr/lib/python3/dist-packages/openstack/__init__.py'],
    'sudo apt-get install -y python3-openstacksdk',
  );
let world: PythonWorld;
before(async () => {
  if (skip) return;
  world = await startPythonWorld();
});
after(async () => world?.close());

const requests = (output: string) => Number(/^cloud requests: (\d+)$/m.exec(output)?.[1]);

test('the nodepool-shaped driver runs its flow and costs the clouds fewer requests than openstacksdk', {
  timeout: 120_000,
  skip,
}, async (t) => {
  const common = ['--cloud', 'sim-beta', '--count', '3', '--control', world.controlUrl, '--inject-leak'];
  const env = { PYTHONPATH: world.sitePackages, PYTHONDONTWRITEBYTECODE: '1' };
  const ours = await run(
    PYTHON,
    ['examples/nodepool-driver/oaktree_driver.py', '--endpoint', world.endpoint, ...common],
    env,
  );
  assert.equal(ours.code, 0, ours.stderr);
  assert.match(ours.stdout, /^launched 3 nodes of label small: (\w{12} ?){3}$/m);
  assert.match(ours.stdout, /^ready: (\w{12}=\d+\.\d+\.\d+\.\d+ ?){3}$/m);
  assert.match(ours.stdout, /^leaked: 1 servers, 1 floating IPs deleted$/m);
  assert.match(ours.stdout, /^deleted 3 nodes in /m);

  const sdk = await run(PYTHON, ['examples/nodepool-driver/openstacksdk_flow.py', ...common], {
    ...env,
    OS_CLIENT_CONFIG_FILE: join(world.dir, 'clouds.yaml'),
  });
  assert.equal(sdk.code, 0, sdk.stderr);
  // openstacksdk's auto_ip reuses a spare floating IP, so the leaked one may be on a node by then.
  assert.match(sdk.stdout, /^leaked: 1 servers, [01] floating IPs deleted$/m);
  t.diagnostic(`cloud requests for 3 nodes: oaktree ${requests(ours.stdout)}, openstacksdk ${requests(sdk.stdout)}`);
  t.diagnostic(`oaktree: ${ours.stdout.trim().split('\n').at(-1)}`);
  t.diagnostic(`openstacksdk: ${sdk.stdout.trim().split('\n').at(-1)}`);
  assert.ok(requests(ours.stdout) > 0 && requests(sdk.stdout) > requests(ours.stdout));
});
