// The `oaktree` client commands against a real node on loopback (fake clouds behind it), run in-process one at a
// time (see run-cli.ts; cli-process.test.ts runs the real binary). Output formats, selectors, exit codes, errors.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { startFakeClouds, type FakeClouds } from '../client/fake-clouds.ts';
import { runCli } from './run-cli.ts';

const oaktree = runCli;
/** Runs commands one after the other (they share the process's io). */
async function serial<T>(runs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (const run of runs) results.push(await run());
  return results;
}

describe('oaktree CLI (client commands)', () => {
  let clouds: FakeClouds;
  let failing: FakeClouds;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    clouds = await startFakeClouds();
    failing = await startFakeClouds({ failRegion: 'alpha/RegionTwo' });
    env = { OAKTREE_ENDPOINT: clouds.address };
    dir = await mkdtemp(join(tmpdir(), 'oaktree-cli-'));
  });
  after(async () => {
    await Promise.all([clouds.close(), failing.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('location list prints a table; flavor list -f json and -f yaml print parseable objects', async () => {
    const [table, json, yaml] = await serial([
      () => oaktree(['location', 'list'], env),
      () => oaktree(['flavor', 'list', '--cloud', 'alpha', '-f', 'json'], env),
      () =>
        oaktree([
          'flavor',
          'list',
          '--endpoint',
          clouds.address,
          '--region',
          'RegionOne',
          '--cloud',
          'beta',
          '-f',
          'yaml',
        ]),
    ]);
    assert.equal(table.code, 0, table.stderr);
    assert.deepEqual(
      table.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(/\s+/).slice(0, 3).join(' ')),
      ['CLOUD REGION PROJECT', 'alpha RegionOne demo', 'alpha RegionTwo demo', 'beta RegionOne demo'],
    );
    assert.equal(json.code, 0, json.stderr);
    const flavors = JSON.parse(json.stdout);
    assert.equal(flavors.length, 4);
    assert.deepEqual(Object.keys(flavors[0]).slice(0, 3), ['location', 'id', 'name']);
    assert.equal(flavors[0].location.cloud, 'alpha');
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.deepEqual(
      parse(yaml.stdout).map((f: { name: string }) => f.name),
      ['m1.small', 'm1.large'],
    );
  });

  it('server create --wait, show, list, delete; errors are one line with the code and exit 1', async () => {
    const where = ['--cloud', 'beta', '--region', 'RegionOne'];
    const created = await oaktree(
      ['server', 'create', 'web', '--image', 'cirros', '--flavor', 'm1.small', '--wait', ...where],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^status\s+ACTIVE$/m);
    assert.equal(created.stderr, '', 'no progress on stderr when it is not a terminal');
    const [shown, listed] = await serial([
      () => oaktree(['server', 'show', 'web', '-f', 'json'], env),
      () => oaktree(['server', 'list'], env),
    ]);
    assert.equal(JSON.parse(shown.stdout).status, 'SERVER_STATUS_ACTIVE');
    assert.match(
      listed.stdout,
      /^beta\s+RegionOne\s+nova\s+web\s+ACTIVE\s+10\.0\.0\.5\s+m1\.small\s+cirros\s+server-\d+$/m,
    );
    const deleted = await oaktree(['server', 'delete', 'web', ...where], env);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /^deleted web \(server-\d+\) in beta\/RegionOne$/m);
    const missing = await oaktree(['server', 'show', 'web'], env);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /^oaktree: NOT_FOUND: .+\n$/);
  });

  it('partial results: prints what answered, warns per failed location, exits 3; --strict exits 1', async () => {
    const partial = await oaktree(['flavor', 'list'], { OAKTREE_ENDPOINT: failing.address });
    assert.equal(partial.code, 3);
    assert.equal(partial.stdout.trimEnd().split('\n').length, 5);
    assert.match(partial.stderr, /^oaktree: warning: UNAVAILABLE: \[alpha\/RegionTwo\] .+$/m);
    const strict = await oaktree(['flavor', 'list', '--strict'], { OAKTREE_ENDPOINT: failing.address });
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /^oaktree: UNAVAILABLE: /);
  });

  it('usage errors exit 2: unknown option, missing argument, bad choice, bad value', async () => {
    const runs = await serial([
      () => oaktree(['server', 'list', '--bogus'], env),
      () => oaktree(['server', 'create', 'x', '--flavor', 'm1.small'], env),
      () => oaktree(['server', 'list', '-f', 'xml'], env),
      () => oaktree(['server', 'list', '--status', 'sleepy'], env),
    ]);
    for (const run of runs) assert.equal(run.code, 2, run.stderr);
    assert.match(runs[3]!.stderr, /unknown server status "sleepy": use one of BUILDING, ACTIVE/);
  });

  it('image upload and download round-trip a file; no node is UNAVAILABLE with exit 1', async () => {
    const file = join(dir, 'disk.raw');
    await writeFile(file, Buffer.alloc(3 * 1024 * 1024 + 5, 1));
    const where = ['--cloud', 'alpha', '--region', 'RegionTwo'];
    const up = await oaktree(['image', 'upload', file, '--name', 'disk', '--disk-format', 'raw', ...where], env);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /^name\s+disk$/m);
    const back = join(dir, 'back.raw');
    const [down, none] = await serial([
      () => oaktree(['image', 'download', 'disk', '-o', back, ...where], env),
      () => oaktree(['location', 'list', '--endpoint', '127.0.0.1:1', '--timeout', '5']),
    ]);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(await readFile(back), await readFile(file));
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^oaktree: (UNAVAILABLE|DEADLINE_EXCEEDED): /);
  });

  it('keypairs, floating IPs, volumes, limits and capabilities', async () => {
    const where = ['--cloud', 'alpha', '--region', 'RegionOne'];
    await oaktree(['server', 'create', 'db', '--image', 'cirros', '--flavor', 'm1.small', ...where], env);
    const [key, fip, vol] = await serial([
      () => oaktree(['keypair', 'create', 'me', ...where], env),
      () => oaktree(['floating-ip', 'create', '--server', 'db', '-f', 'json', ...where], env),
      () => oaktree(['volume', 'create', 'data', '--size', '2', ...where], env),
    ]);
    assert.match(key.stdout, /PRIVATE KEY/);
    assert.equal(JSON.parse(fip.stdout).isAttached, true);
    assert.equal(vol.code, 0, vol.stderr);
    const [limits, caps, vols, sweep] = await serial([
      () => oaktree(['limits', '--cloud', 'alpha'], env),
      () => oaktree(['capabilities', '-f', 'json'], env),
      () => oaktree(['volume', 'list'], env),
      () => oaktree(['floating-ip', 'delete-unattached', ...where], env),
    ]);
    assert.match(limits.stdout, /^alpha\s+RegionOne\s+1\/10\s/m);
    assert.equal(JSON.parse(caps.stdout).length, 3);
    assert.match(vols.stdout, /^alpha\s+RegionOne\s+nova\s+data\s+AVAILABLE\s+2 GiB/m);
    assert.match(sweep.stdout, /^deleted 0 unattached floating IPs in alpha\/RegionOne$/m);
  });
});
