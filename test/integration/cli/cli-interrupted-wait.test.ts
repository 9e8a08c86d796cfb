// `server create --wait` cut short by the deadline or Ctrl-C, with the real binary: it says what exists (id,
// location, state, what was not done) and how to finish or clean up, exits 1 or 130, and finishing works.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clients, collect } from '../../support/node.ts';
import { eventually } from '../../support/wait.ts';
import { oaktree, simulatedNode, type SimulatedNode } from './oaktree-process.ts';

const IMAGE = 'cirros-0.6.2-x86_64-disk';

describe('oaktree server create --wait, interrupted (real binary)', () => {
  let world: SimulatedNode;
  let ep: string;
  before(async () => {
    // Slow boots, so the wait is still going when the deadline or Ctrl-C comes.
    world = await simulatedNode([{ name: 'sim-beta', regions: ['RegionOne'], bootDelayMs: 20_000 }]);
    ep = world.endpoint;
  });
  after(async () => world?.close());

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
        { timeoutMs: 60_000, everyMs: 200 }, // a loaded machine starts the CLI process slowly
      );
    try {
      const [deadline, interrupted] = await Promise.all([
        oaktree(create('s3-python-deadline', ['--timeout', '8'])),
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

  it('a delete --wait cut by the deadline says it may go on, and how to look and finish', async () => {
    const fault = world.simulator.faults.add({ kind: 'hang', cloud: 'sim-beta', service: 'compute', count: 1 });
    try {
      const cut = await oaktree([
        '--endpoint',
        ep,
        'server',
        'delete',
        's3-python-gone',
        '--cloud',
        'sim-beta',
        '--wait',
        '--timeout',
        '3',
      ]);
      assert.equal(cut.code, 1, cut.stderr);
      assert.equal(
        cut.stderr,
        [
          'oaktree: the deadline (--timeout) passed while deleting s3-python-gone: the delete may have been accepted and go on in the cloud.',
          '  look:    oaktree server list --name s3-python-gone --cloud sim-beta',
          '  finish:  oaktree server delete s3-python-gone --cloud sim-beta --wait',
          '',
        ].join('\n'),
      );
    } finally {
      world.simulator.faults.remove(fault.id);
    }
  });
});
