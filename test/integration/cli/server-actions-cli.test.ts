// The `oaktree server <action>` commands against a real node over a simulated cloud: progress and the final
// server with --wait, a refused action as one error line with exit code 1, usage errors with exit code 2.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { runCli } from './run-cli.ts';

describe('oaktree server action commands', { timeout: 120_000 }, () => {
  let simulator: Simulator;
  let node: RunningNode;
  let dir: string;
  let env: Record<string, string>;
  const where = ['--cloud', 'sim-cli', '--region', 'RegionOne'];

  before(async () => {
    simulator = await startSimulator({
      clouds: [{ name: 'sim-cli', regions: ['RegionOne'], bootDelayMs: 100, actionDelayMs: 100 }],
    });
    dir = await mkdtemp(join(tmpdir(), 'oaktree-cli-actions-'));
    await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
    const loaded = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
    const logger = silentLogger();
    node = await startNode({
      nodeId: 'cli-actions',
      listen: '127.0.0.1:0',
      backends: loaded.clouds.map((cloud) => createOpenStackBackend(cloud, { logger })),
      logger,
    });
    env = { OAKTREE_ENDPOINT: node.address };
  });
  after(async () => {
    await node?.close(100);
    await simulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stop --wait prints the stopped server; start refused while running is exit 1 naming the state', async () => {
    const created = await runCli(
      ['server', 'create', 'cli-act', '--image', 'cirros-0.6.2-x86_64-disk', '--flavor', 'm1.tiny', '--wait', ...where],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    const refused = await runCli(['server', 'start', 'cli-act', ...where], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^oaktree: FAILED_PRECONDITION: cannot start server cli-act .* it is ACTIVE/);
    const stopped = await runCli(['server', 'stop', 'cli-act', '--wait', '-f', 'json', ...where], env);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(JSON.parse(stopped.stdout).status, 'SERVER_STATUS_STOPPED');
  });

  it('set --name renames; snapshot --wait prints the ACTIVE image; resize needs one of its modes', async () => {
    const renamed = await runCli(['server', 'set', 'cli-act', '--name', 'cli-act-2', '-f', 'json', ...where], env);
    assert.equal(renamed.code, 0, renamed.stderr);
    assert.equal(JSON.parse(renamed.stdout).name, 'cli-act-2');
    const snap = await runCli(
      ['server', 'snapshot', 'cli-act-2', '--image-name', 'cli-snap', '--wait', '-f', 'json', ...where],
      env,
    );
    assert.equal(snap.code, 0, snap.stderr);
    assert.equal(JSON.parse(snap.stdout).status, 'IMAGE_STATUS_ACTIVE');
    const usage = await runCli(['server', 'resize', 'cli-act-2', ...where], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /exactly one of --flavor, --confirm, --revert/);
  });
});
