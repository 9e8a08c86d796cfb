// The openstack CLI's habits in the real `oaktree` binary (a child process per command) against a node serving
// simulated clouds: -f value|csv, -c, --long, --sort-column, global options before the subcommand, enum words,
// properties as JSON, exit codes 1/2/3, a dead endpoint, HOST alone, a busy port, completion, subnet/security
// group lists. Interrupted waits: cli-interrupted-wait.test.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../../../src/simulator/index.ts';
import { oaktree, simulatedNode, type SimulatedNode } from './oaktree-process.ts';

describe('oaktree CLI habits (real binary)', () => {
  let world: SimulatedNode;
  let simulator: Simulator;
  let dir: string;
  let ep: string;

  before(async () => {
    world = await simulatedNode([
      { name: 'sim-alpha', regions: ['RegionOne', 'RegionTwo'], seedServers: 1 },
      { name: 'sim-beta', regions: ['RegionOne'], seedServers: 1 },
    ]);
    ({ simulator, dir, endpoint: ep } = world);
  });
  after(async () => world?.close());

  it('-f value|csv, -c, --long and --sort-column shape every list; options may come before the subcommand', async () => {
    const [value, csv, long, sorted, json, bad] = await Promise.all([
      oaktree(['--endpoint', ep, 'server', 'list', '-f', 'value', '-c', 'name', '-c', 'cloud', '--cloud', 'sim-beta']),
      oaktree(['--endpoint', ep, '-f', 'csv', 'flavor', 'list', '--cloud', 'sim-beta', '-c', 'NAME', '-c', 'vcpus']),
      oaktree(['server', 'list', '--endpoint', ep, '--long', '--cloud', 'sim-beta']),
      oaktree([
        '--endpoint',
        ep,
        '--cloud',
        'sim-beta',
        'flavor',
        'list',
        '-f',
        'value',
        '-c',
        'name',
        '--sort-column',
        'RAM',
        '--sort-descending',
      ]),
      oaktree([
        '--endpoint',
        ep,
        'server',
        'list',
        '-f',
        'json',
        '-c',
        'name',
        '-c',
        'metadata',
        '--cloud',
        'sim-beta',
      ]),
      oaktree(['--endpoint', ep, 'server', 'list', '-c', 'no-such-column']),
    ]);
    assert.equal(value.code, 0, value.stderr);
    assert.match(value.stdout, /^seed-0 sim-beta\n/);
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(csv.stdout, /^"NAME","VCPUS"\n/);
    assert.match(csv.stdout, /^"m1\.tiny","1"$/m);
    assert.match(long.stdout.split('\n')[0]!, /\bKEY NAME\b.*\bSECURITY GROUPS\b.*\bCREATED$/);
    const names = sorted.stdout.trim().split('\n');
    assert.equal(sorted.code, 0, sorted.stderr);
    assert.deepEqual([names[0], names.at(-1)], ['m1.xlarge', 'cirros256'], 'by RAM in MiB, not by "16.0 GiB" text');
    assert.deepEqual(Object.keys(JSON.parse(json.stdout)[0]), ['name', 'metadata']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^oaktree: unknown column "no-such-column"; columns: CLOUD, REGION/);
  });

  it('show prints enum words and properties as JSON values; JSON keeps the proto3 names', async () => {
    const [table, json] = await Promise.all([
      oaktree(['--endpoint', ep, 'server', 'show', 'seed-0', '--cloud', 'sim-beta']),
      oaktree(['--endpoint', ep, 'server', 'show', 'seed-0', '--cloud', 'sim-beta', '-f', 'json']),
    ]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^status +ACTIVE$/m);
    assert.match(table.stdout, /^addresses\[0\]\.type +FIXED$/m);
    assert.doesNotMatch(table.stdout, /SERVER_STATUS_|ADDRESS_TYPE_/);
    const server = JSON.parse(json.stdout);
    assert.equal(server.status, 'SERVER_STATUS_ACTIVE');
    // Tags are a field of their own now; nova's other list-valued extras (server_groups, ...) stay in properties.
    assert.ok(
      Object.values(server.properties).some((value) => Array.isArray(value)),
      'a JSON list in properties is a list, not a string',
    );
  });

  it('usage errors exit 2 at every level; every location failing exits 1, some failing 3', async () => {
    const fault = simulator.faults.add({
      kind: 'status',
      status: 403,
      fraction: 1,
      cloud: 'sim-beta',
      service: 'compute',
    });
    try {
      const [top, option, allFailed, partial, nodeCommand] = await Promise.all([
        oaktree(['no-such-command']),
        oaktree(['--no-such-option', 'server', 'list']),
        oaktree(['--endpoint', ep, 'server', 'list', '--fresh', '--cloud', 'sim-beta']),
        oaktree(['--endpoint', ep, 'server', 'list', '--fresh', '-f', 'value', '-c', 'name']),
        oaktree(['serve', '--no-such-option']),
      ]);
      assert.equal(nodeCommand.code, 2, nodeCommand.stderr);
      assert.equal(top.code, 2, top.stderr);
      assert.equal(option.code, 2, option.stderr);
      assert.equal(allFailed.code, 1, allFailed.stderr);
      assert.match(allFailed.stderr, /^oaktree: warning: PERMISSION_DENIED: \[sim-beta\/RegionOne\] /);
      assert.equal(partial.code, 3, partial.stderr);
      assert.match(partial.stdout, /^seed-0$/m);
    } finally {
      simulator.faults.remove(fault.id);
    }
  });

  it('a dead endpoint says it cannot reach a node and how to start one; HOST alone means port 50051', async () => {
    const [refused, hostOnly] = await Promise.all([
      oaktree(['server', 'list', '--endpoint', '127.0.0.1:1']),
      oaktree(['server', 'list'], { OAKTREE_ENDPOINT: 'no-such-host.invalid' }),
    ]);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr.split('\n')[0],
      'oaktree: UNAVAILABLE: cannot reach an oaktree node at 127.0.0.1:1 (nothing answers there). Start one with `oaktree serve` ' +
        '(or `npm start`), or point the CLI at a running node with --endpoint HOST[:PORT] or OAKTREE_ENDPOINT.',
    );
    assert.doesNotMatch(refused.stderr, /Resolution note|subchannel|ECONNREFUSED/);
    assert.equal(hostOnly.code, 1);
    assert.match(hostOnly.stderr, /at no-such-host\.invalid:50051 \(the host name does not resolve\)/);
  });

  it('a busy port is one line, exit 1, and leaves no temporary directory behind', async () => {
    const tmp = await mkdtemp(join(dir, 'tmp-'));
    const busy = await oaktree(['serve', '--simulate', '--listen', ep, '--log-level', 'silent'], { TMPDIR: tmp });
    assert.equal(busy.code, 1, busy.stderr);
    assert.equal(
      busy.stderr,
      `oaktree: cannot listen on ${ep}: the address is already in use (another oaktree node?); pick another --listen port, or port 0 for any free one\n`,
    );
    const left = (await readdir(tmp)).filter((name) => !name.startsWith('tsx-')); // tsx's own compile cache
    assert.deepEqual(left, [], 'the embedded simulator and its clouds.yaml are gone');
  });

  it('subnet and security group have list and show, in both spellings', async () => {
    const [subnets, groups, twoWords, ambiguous] = await Promise.all([
      oaktree(['--endpoint', ep, 'subnet', 'list', '-f', 'value', '-c', 'cloud', '-c', 'cidr']),
      oaktree([
        '--endpoint',
        ep,
        'security-group',
        'show',
        'default',
        '--cloud',
        'sim-beta',
        '-f',
        'value',
        '-c',
        'name',
      ]),
      oaktree(['--endpoint', ep, 'security', 'group', 'list', '--cloud', 'sim-beta']),
      oaktree(['--endpoint', ep, 'security', 'group', 'show', 'default']),
    ]);
    assert.equal(subnets.code, 0, subnets.stderr);
    assert.equal(subnets.stdout.trim().split('\n').length, 3);
    assert.equal(groups.stdout, 'default\n');
    assert.match(twoWords.stdout, /^CLOUD +REGION +NAME +DESCRIPTION +RULES +ID\nsim-beta +RegionOne +default /);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /FAILED_PRECONDITION: 3 security groups match "default"/);
  });

  it('completion bash completes commands, subcommands and options', async () => {
    const script = await oaktree(['completion', 'bash']);
    assert.equal(script.code, 0, script.stderr);
    const file = join(dir, 'completion.bash');
    await writeFile(file, script.stdout);
    const probe = await new Promise<string>((resolve, reject) => {
      const bash = spawn('bash', [
        '-c',
        `source ${file}
         COMP_WORDS=(oaktree sec); COMP_CWORD=1; _oaktree; echo "\${COMPREPLY[*]}"
         COMP_WORDS=(oaktree --cloud x server li); COMP_CWORD=4; _oaktree; echo "\${COMPREPLY[*]}"
         COMP_WORDS=(oaktree server list --sort); COMP_CWORD=3; _oaktree; echo "\${COMPREPLY[*]}"`,
      ]);
      let out = '';
      bash.stdout.on('data', (chunk) => (out += chunk));
      bash.on('error', reject);
      bash.on('close', () => resolve(out));
    });
    assert.deepEqual(probe.trim().split('\n'), [
      'security-group security-group-rule',
      'list',
      '--sort-column --sort-ascending --sort-descending',
    ]);
    const zsh = await oaktree(['completion', 'zsh']);
    assert.match(zsh.stdout, /^#compdef oaktree\n/);
  });
});
