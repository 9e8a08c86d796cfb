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
  const visible = (grpc: ReturnType<typeof clients>, name: string) =>
    eventually(
      async () =>
        (await collect(grpc.compute.listServers({ location: { cloud: 'sim-beta' }, nameOrId: name, fresh: true })))
          .length > 0,
      `server ${name} in the cloud`,
      { timeoutMs: 60_000, everyMs: 200 }, // a loaded machine starts the CLI process slowly
    );
  const deleteServers = async (grpc: ReturnType<typeof clients>, prefix: string) => {
    const ids = (await collect(grpc.compute.listServers({ location: { cloud: 'sim-beta' }, fresh: true })))
      .map((r) => (r.item?.$case === 'server' ? r.item.value : undefined))
      .filter((s) => s?.name.startsWith(prefix))
      .map((s) => s!.id);
    if (ids.length)
      await oaktree(['--endpoint', ep, 'server', 'delete', ...ids, '--cloud', 'sim-beta', '--delete-floating-ips']);
  };

  it('a --wait cut by the deadline or Ctrl-C says what exists and how to finish; finishing works', async () => {
    const grpc = clients(ep);
    try {
      const [deadline, interrupted] = await Promise.all([
        oaktree(create('s3-python-deadline', ['--timeout', '8'])),
        oaktree(create('s3-python-ctrl-c'), {}, async (pid) => {
          await visible(grpc, 's3-python-ctrl-c');
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
      await deleteServers(grpc, 's3-python-');
      grpc.close();
    }
  });

  it('Ctrl-C after nova accepted the server but before the node reported it: the CLI finds it and says it exists', async () => {
    const grpc = clients(ep);
    // The node's read-back of the new server never answers, so the node never reports it: Ctrl-C comes in the gap
    // between nova's accept and the node's first report, every time.
    const fault = world.simulator.faults.add({ kind: 'hang', cloud: 'sim-beta', route: 'GET /servers/{id}', count: 1 });
    try {
      const interrupted = await oaktree(create('s3-python-gap'), {}, async (pid) => {
        await visible(grpc, 's3-python-gap');
        process.kill(pid, 'SIGINT');
      });
      assert.equal(interrupted.code, 130, interrupted.stderr);
      assert.equal(world.simulator.faults.list().length, 0, 'the read-back was held, so the node had not reported');
      assert.match(interrupted.stderr, /^oaktree: interrupted: server s3-python-gap \(([0-9a-f-]{36})\) exists/);
      const id = /\(([0-9a-f-]{36})\)/.exec(interrupted.stderr)![1]!;
      const inCloud = await collect(
        grpc.compute.listServers({ location: { cloud: 'sim-beta' }, nameOrId: 's3-python-gap', fresh: true }),
      );
      assert.deepEqual(
        inCloud.map((r) => (r.item?.$case === 'server' ? r.item.value.id : '')),
        [id],
      );
    } finally {
      world.simulator.faults.remove(fault.id);
      await deleteServers(grpc, 's3-python-gap');
      grpc.close();
    }
  });

  it('a delete --wait cut by the deadline says it may go on, and how to look and finish', async () => {
    const grpc = clients(ep);
    const made = await collect(
      grpc.compute.createServer({
        location: { cloud: 'sim-beta' },
        name: 's3-python-gone',
        image: IMAGE,
        flavor: 'm1.tiny',
      }),
    );
    const id = made.at(-1)!.server!.id;
    // The next request to the cloud (the DELETE, or a lookup before it) is accepted and never answered.
    const fault = world.simulator.faults.add({ kind: 'hang', cloud: 'sim-beta', service: 'compute', count: 1 });
    try {
      const cut = await oaktree([
        '--endpoint',
        ep,
        'server',
        'delete',
        id,
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
          `oaktree: the deadline (--timeout) passed while deleting ${id}: the delete may have been accepted and go on in the cloud.`,
          `  look:    oaktree server list --name ${id} --cloud sim-beta`,
          `  finish:  oaktree server delete ${id} --cloud sim-beta --wait`,
          '',
        ].join('\n'),
      );
    } finally {
      world.simulator.faults.remove(fault.id);
      await oaktree(['--endpoint', ep, 'server', 'delete', id, '--cloud', 'sim-beta']);
      grpc.close();
    }
  });
});
