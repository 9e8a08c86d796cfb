// The openstack CLI's habits in the real `oaktree` binary (a child process per command) against a node serving
// simulated clouds: -f value|csv, -c, --long, --sort-column, global options before the subcommand, enum words,
// properties as JSON, exit codes 1/2/3, a dead endpoint, HOST alone, completion, subnet/security group lists,
// and interrupted --wait that says what exists.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { cliNode, clients, collect, ROOT, type CliNode } from '../../support/node.ts';
import { eventually } from '../../support/wait.ts';

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `oaktree ARGS` to its end; `interrupt` may send it a signal while it runs. */
function oaktree(args: string[], env: Record<string, string> = {}, interrupt?: (pid: number) => Promise<void>) {
  return new Promise<Ran>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, OAKTREE_ENDPOINT: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (interrupt) interrupt(child.pid!).catch(reject);
  });
}

const IMAGE = 'cirros-0.6.2-x86_64-disk';

describe('oaktree CLI habits (real binary)', () => {
  let dir: string;
  let simulator: Simulator;
  let node: CliNode;
  let ep: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oaktree-cli-habits-'));
    // Slow boots, so a --wait can be interrupted while the server is still BUILDING.
    simulator = await startSimulator({
      clouds: [
        { name: 'sim-alpha', regions: ['RegionOne', 'RegionTwo'], seedServers: 1, bootDelayMs: 1500 },
        { name: 'sim-beta', regions: ['RegionOne'], seedServers: 1, bootDelayMs: 20_000 },
      ],
    });
    await writeFile(join(dir, 'clouds.yaml'), simulator.cloudsYaml());
    node = await cliNode(['--clouds-yaml', join(dir, 'clouds.yaml'), '--listen', '127.0.0.1:0', '--log-level', 'warn']);
    ep = node.address;
  });
  after(async () => {
    node?.child.kill('SIGTERM');
    await node?.exited;
    await simulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

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
    assert.ok(Array.isArray(server.properties.tags), 'a JSON list in properties is a list, not a string');
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
      const [top, option, allFailed, partial] = await Promise.all([
        oaktree(['no-such-command']),
        oaktree(['--no-such-option', 'server', 'list']),
        oaktree(['--endpoint', ep, 'server', 'list', '--fresh', '--cloud', 'sim-beta']),
        oaktree(['--endpoint', ep, 'server', 'list', '--fresh', '-f', 'value', '-c', 'name']),
      ]);
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
      oaktree(['--endpoint', ep, 'security-group', 'show', 'default']),
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
      'security-group',
      'list',
      '--sort-column --sort-ascending --sort-descending',
    ]);
    const zsh = await oaktree(['completion', 'zsh']);
    assert.match(zsh.stdout, /^#compdef oaktree\n/);
  });

  it('a --wait cut by the deadline or Ctrl-C says what exists and how to finish; finishing works', async () => {
    const create = (name: string, extra: string[] = []) => [
      '--endpoint',
      ep,
      'server',
      'create',
      name,
      '--cloud',
      'sim-beta',
      '--image',
      IMAGE,
      '--flavor',
      'm1.tiny',
      '--wait',
      ...extra,
    ];
    const grpc = clients(ep);
    const visible = (name: string) =>
      eventually(
        async () =>
          (await collect(grpc.compute.listServers({ location: { cloud: 'sim-beta' }, nameOrId: name, fresh: true })))
            .length > 0,
        `server ${name} in the cloud`,
      );
    try {
      const [deadline, interrupted] = await Promise.all([
        oaktree(create('s3-python-deadline', ['--timeout', '3'])),
        oaktree(create('s3-python-ctrl-c'), {}, async (pid) => {
          await visible('s3-python-ctrl-c');
          process.kill(pid, 'SIGINT');
        }),
      ]);
      assert.equal(deadline.code, 1, deadline.stderr);
      assert.match(
        deadline.stderr,
        /^oaktree: the deadline \(--timeout\) passed: server s3-python-deadline \([0-9a-f-]{36}\) exists in sim-beta\/RegionOne, status BUILDING; not ACTIVE yet, no floating IP attached yet\.\n/,
      );
      assert.match(
        deadline.stderr,
        /^ {2}clean up: oaktree server delete [0-9a-f-]{36} --cloud sim-beta --region RegionOne --delete-floating-ips$/m,
      );
      assert.equal(interrupted.code, 130, interrupted.stderr);
      assert.match(interrupted.stderr, /^oaktree: interrupted: server s3-python-ctrl-c \(([0-9a-f-]{36})\) exists/);

      // The printed way to finish picks up the same server and attaches its floating IP.
      const id = /server s3-python-ctrl-c \(([0-9a-f-]{36})\)/.exec(interrupted.stderr)![1]!;
      const requestId = /--request-id (\S+) --wait/.exec(interrupted.stderr)![1]!;
      const finished = await oaktree([
        ...create('s3-python-ctrl-c', ['--request-id', requestId]),
        '-f',
        'value',
        '-c',
        'id',
        '-c',
        'status',
        '-c',
        'publicV4',
      ]);
      assert.equal(finished.code, 0, finished.stderr);
      assert.match(finished.stdout, new RegExp(`^${id}\\nACTIVE\\n\\d+\\.\\d+\\.\\d+\\.\\d+\\n$`));
    } finally {
      const ids = (await collect(grpc.compute.listServers({ location: { cloud: 'sim-beta' }, fresh: true })))
        .map((r) => (r.item?.$case === 'server' ? r.item.value : undefined))
        .filter((s) => s?.name.startsWith('s3-python-'))
        .map((s) => s!.id);
      if (ids.length)
        await oaktree(['--endpoint', ep, 'server', 'delete', ...ids, '--cloud', 'sim-beta', '--delete-floating-ips']);
      grpc.close();
    }
  });
});
