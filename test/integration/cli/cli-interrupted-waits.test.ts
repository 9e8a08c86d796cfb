// Every --wait besides server create/delete (volumes, snapshots, server actions), cut short by the deadline or
// Ctrl-C, with the real binary: it says what exists (id, location, state, what is not done), the commands to look,
// finish or clean up, exits 1 or 130, and the printed finish commands work.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clients, collect } from '../../support/node.ts';
import { eventually } from '../../support/wait.ts';
import { oaktree, simulatedNode, type SimulatedNode } from './oaktree-process.ts';

const IMAGE = 'cirros-0.6.2-x86_64-disk';
const ID = '[0-9a-f-]{36}';
const PLACE = '--cloud sim-slow --region RegionOne';

describe('oaktree volume, snapshot and server-action waits, interrupted (real binary)', () => {
  let world: SimulatedNode;
  let ep: string;
  before(async () => {
    // Volumes and snapshots stay "creating" and actions keep their task state long enough for the deadline or
    // Ctrl-C to come first, and short enough for the printed finish commands to end.
    world = await simulatedNode([
      { name: 'sim-slow', regions: ['RegionOne'], bootDelayMs: 200, volumeDelayMs: 15_000, actionDelayMs: 15_000 },
    ]);
    ep = world.endpoint;
  });
  after(async () => world?.close());

  const cli = (args: string[], interrupt?: (pid: number) => Promise<void>) =>
    oaktree(['--endpoint', ep, ...args, '--cloud', 'sim-slow'], {}, interrupt);
  /** The command a printed step line gives, as arguments (the ids and flags have no spaces). */
  const step = (stderr: string, label: string) => {
    const line = new RegExp(`^ {2}${label}: +oaktree (.+)$`, 'm').exec(stderr);
    assert.ok(line, `no ${label} step in:\n${stderr}`);
    return line[1]!.split(' ');
  };

  it('volume create --wait: the deadline and Ctrl-C say which volume exists; volume wait finishes it', {
    timeout: 200_000,
  }, async () => {
    const grpc = clients(ep);
    const visible = (name: string) =>
      eventually(
        async () =>
          (await collect(grpc.volume.listVolumes({ location: { cloud: 'sim-slow' }, nameOrId: name, fresh: true })))
            .length > 0,
        `volume ${name} in the cloud`,
        { timeoutMs: 60_000, everyMs: 200 },
      );
    try {
      const create = (name: string, extra: string[] = []) => [
        'volume',
        'create',
        name,
        '--size',
        '1',
        '--wait',
        ...extra,
      ];
      const [deadline, interrupted] = await Promise.all([
        cli(create('cut-deadline', ['--timeout', '4'])),
        cli(create('cut-ctrl-c'), async (pid) => {
          await visible('cut-ctrl-c');
          process.kill(pid, 'SIGINT');
        }),
      ]);
      assert.equal(deadline.code, 1, deadline.stderr);
      const id = new RegExp(`volume cut-deadline \\((${ID})\\)`).exec(deadline.stderr)?.[1];
      assert.equal(
        deadline.stderr,
        [
          `oaktree: the deadline (--timeout) passed while creating volume cut-deadline: volume cut-deadline (${id}) in sim-slow/RegionOne is creating; not available yet.`,
          `  look:     oaktree volume show ${id} ${PLACE}`,
          `  finish:   oaktree volume wait ${id} ${PLACE} --until available`,
          `  clean up: oaktree volume delete ${id} ${PLACE}`,
          '',
        ].join('\n'),
      );
      assert.equal(interrupted.code, 130, interrupted.stderr);
      assert.match(
        interrupted.stderr,
        new RegExp(
          `^oaktree: interrupted while creating volume cut-ctrl-c: volume cut-ctrl-c \\(${ID}\\) in sim-slow/RegionOne is creating; not available yet\\.\\n`,
        ),
      );

      // The printed finish waits for the same volume; then a snapshot --wait cut by the deadline says the same.
      const finished = await oaktree([
        '--endpoint',
        ep,
        ...step(deadline.stderr, 'finish'),
        '-f',
        'value',
        '-c',
        'id',
        '-c',
        'status',
      ]);
      assert.equal(finished.code, 0, finished.stderr);
      assert.equal(finished.stdout, `${id}\nAVAILABLE\n`);

      const snapshot = await cli([
        'volume-snapshot',
        'create',
        'cut-snap',
        '--volume',
        id!,
        '--wait',
        '--timeout',
        '3',
      ]);
      assert.equal(snapshot.code, 1, snapshot.stderr);
      const snapId = new RegExp(`snapshot cut-snap \\((${ID})\\)`).exec(snapshot.stderr)?.[1];
      assert.equal(
        snapshot.stderr,
        [
          `oaktree: the deadline (--timeout) passed while snapshotting volume ${id} as cut-snap: snapshot cut-snap (${snapId}) in sim-slow/RegionOne is creating; not available yet.`,
          `  look:     oaktree volume-snapshot show ${snapId} ${PLACE}`,
          `  clean up: oaktree volume-snapshot delete ${snapId} ${PLACE}`,
          '',
        ].join('\n'),
      );
    } finally {
      grpc.close();
    }
  });

  it('server reboot --wait cut by the deadline says where the server stands; the same request id finishes it', {
    timeout: 200_000,
  }, async () => {
    const grpc = clients(ep);
    const made = await collect(
      grpc.compute.createServer({
        location: { cloud: 'sim-slow' },
        name: 'cut-web',
        image: IMAGE,
        flavor: 'm1.tiny',
        wait: true,
      }),
    );
    const id = made.at(-1)!.server!.id;
    try {
      const cut = await cli(['server', 'reboot', 'cut-web', '--wait', '--timeout', '3']);
      assert.equal(cut.code, 1, cut.stderr);
      assert.match(
        cut.stderr,
        new RegExp(
          `^oaktree: the deadline \\(--timeout\\) passed while running reboot on server cut-web: server cut-web \\(${id}\\) in sim-slow/RegionOne is \\S+ \\(task reboot\\S*\\); not finished yet\\.\\n`,
        ),
      );
      assert.match(cut.stderr, new RegExp(`^ {2}follow: {3}oaktree watch servers --server ${id} ${PLACE}$`, 'm'));
      const requestId = /--request-id (\S+) --wait/.exec(cut.stderr)?.[1];
      assert.ok(requestId, cut.stderr);

      const finished = await cli([
        'server',
        'reboot',
        'cut-web',
        '--request-id',
        requestId,
        '--wait',
        '-f',
        'value',
        '-c',
        'status',
      ]);
      assert.equal(finished.code, 0, finished.stderr);
      assert.equal(finished.stdout, 'ACTIVE\n');
    } finally {
      await grpc.compute.deleteServer({ location: { cloud: 'sim-slow' }, nameOrId: id });
      grpc.close();
    }
  });
});
