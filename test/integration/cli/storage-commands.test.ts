// The volume, volume-snapshot, volume-backup, image set/member, project and whoami commands against a real node
// on loopback serving a simulated cloud, run in-process (run-cli.ts), JSON output parsed.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { openTarget, type ScenarioTarget } from '../../scenarios/target.ts';
import { runCli } from './run-cli.ts';

describe('oaktree storage, image and identity commands', { timeout: 120_000 }, () => {
  let simulator: Simulator;
  let t: ScenarioTarget;
  let dir: string;
  let env: Record<string, string>;
  const where = ['--cloud', 'sim-cli', '--region', 'RegionOne'];

  async function json(args: string[]): Promise<any> {
    const run = await runCli([...args, ...where, '-f', 'json'], env);
    assert.equal(run.code, 0, `oaktree ${args.join(' ')}: ${run.stderr}`);
    return JSON.parse(run.stdout);
  }

  before(async () => {
    simulator = await startSimulator({ clouds: [{ name: 'sim-cli', regions: ['RegionOne'], bootDelayMs: 0 }] });
    dir = await mkdtemp(join(tmpdir(), 's3-storage-cli-'));
    await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
    t = await openTarget({
      label: 'simulator',
      cloudsYaml: join(dir, 'clouds.yaml'),
      cloud: 'sim-cli',
      region: 'RegionOne',
      image: 'cirros-0.6.2-x86_64-disk',
      flavor: 'm1.tiny',
      network: 'private',
      externalNetwork: 'public',
    });
    env = { OAKTREE_ENDPOINT: t.node.address };
  });
  after(async () => {
    await t?.close();
    await simulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('volume create/set (extend)/show, volume-snapshot create/list, a volume from it, volume-backup create/delete', async () => {
    const created = await json(['volume', 'create', 'cli-vol', '--size', '1', '--wait']);
    assert.equal(created.status, 'VOLUME_STATUS_AVAILABLE');
    const set = await json([
      'volume',
      'set',
      'cli-vol',
      '--name',
      'cli-vol2',
      '--property',
      'a=b',
      '--bootable',
      '--size',
      '2',
      '--wait',
    ]);
    assert.equal(set.name, 'cli-vol2');
    assert.equal(set.sizeGb, 2);
    assert.equal(set.isBootable, true);
    assert.equal(set.metadata.a, 'b');
    assert.equal((await json(['volume', 'show', 'cli-vol2'])).id, created.id);

    const snap = await json(['volume-snapshot', 'create', 'cli-snap', '--volume', 'cli-vol2', '--wait']);
    assert.equal(snap.status, 'VOLUME_SNAPSHOT_STATUS_AVAILABLE');
    const snaps = await json(['volume-snapshot', 'list', '--volume', created.id]);
    assert.deepEqual(
      snaps.map((s: any) => s.name),
      ['cli-snap'],
    );
    const copy = await json(['volume', 'create', 'cli-from-snap', '--snapshot', 'cli-snap', '--wait']);
    assert.equal(copy.sizeGb, 2);

    const backup = await json(['volume-backup', 'create', 'cli-backup', '--volume', 'cli-vol2', '--wait']);
    assert.equal(backup.status, 'VOLUME_BACKUP_STATUS_AVAILABLE');
    const deleted = await runCli(['volume-backup', 'delete', 'cli-backup', '--wait', ...where], env);
    assert.match(deleted.stdout, /^deleted backup cli-backup \(/);
    assert.ok((await json(['volume', 'types'])).some((ty: any) => ty.name === '__DEFAULT__'));

    for (const args of [
      ['volume', 'delete', 'cli-from-snap', '--wait'],
      ['volume-snapshot', 'delete', 'cli-snap', '--wait'],
      ['volume', 'delete', 'cli-vol2', '--wait'],
    ]) {
      const run = await runCli([...args, ...where], env);
      assert.equal(run.code, 0, run.stderr);
    }
  });

  it('image set, member add/list/remove; whoami and project list', async () => {
    const file = join(dir, 'disk.raw');
    await writeFile(file, Buffer.alloc(4096, 1));
    const uploaded = await runCli(
      ['image', 'upload', file, '--name', 'cli-img', '--disk-format', 'raw', ...where],
      env,
    );
    assert.equal(uploaded.code, 0, uploaded.stderr);
    const changed = await json([
      'image',
      'set',
      'cli-img',
      '--visibility',
      'shared',
      '--tag',
      'cli',
      '--property',
      'os_distro=cirros',
      '--min-ram',
      '64',
    ]);
    assert.equal(changed.visibility, 'IMAGE_VISIBILITY_SHARED');
    assert.deepEqual(changed.tags, ['cli']);
    assert.equal(changed.properties.os_distro, 'cirros');
    assert.equal(changed.minRamMb, 64);
    const member = await json(['image', 'member', 'add', 'cli-img', 'other-project']);
    assert.equal(member.status, 'IMAGE_MEMBER_STATUS_PENDING');
    const members = await json(['image', 'member', 'list', 'cli-img']);
    assert.deepEqual(
      members.map((m: any) => m.memberId),
      ['other-project'],
    );
    const removed = await runCli(['image', 'member', 'remove', 'cli-img', 'other-project', ...where], env);
    assert.match(removed.stdout, /is no longer shared with other-project/);
    assert.equal((await runCli(['image', 'delete', 'cli-img', ...where], env)).code, 0);

    const [me] = await json(['whoami']);
    assert.equal(me.userName, 'demo');
    assert.ok(me.roles.includes('member'));
    const projects = await json(['project', 'list']);
    assert.ok(projects.some((p: any) => p.isCurrent && p.name === 'demo'));
  });
});
