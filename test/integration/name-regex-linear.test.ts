// name_regex runs on every server a list or watch sees, with a pattern the caller chose. A backtracking engine
// takes 2^n steps for ^(a+)+$ over n a's and a "!": with 40 a's the node would never answer anyone again. The node
// runs in its own process (`oaktree serve --simulate`), so a stalled node fails this test by its bounds instead of
// stalling the test itself.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FloatingIPMode, type Server } from '../../src/gen/oaktree/v1/compute.ts';
import type { LocationSelector } from '../../src/gen/oaktree/v1/location.ts';
import { cliNode, clients, collect, type CliNode } from '../support/node.ts';
import { within } from '../support/wait.ts';

const CLOUD = 'sim-beta';
const PATHOLOGICAL = '^(a+)+$';
const EVIL = `${'a'.repeat(40)}!`;
/** A bound on each answer, far above what it takes, far below what backtracking over EVIL would take. */
const BOUND_MS = 20_000;

const at: LocationSelector = { cloud: CLOUD, region: 'RegionOne', zone: '', project: undefined };
const names = (items: any[]): string[] =>
  items
    .filter((i) => i.item?.$case === 'server')
    .map((i) => (i.item.value as Server).name)
    .sort();

describe('name_regex is matched in linear time', { timeout: 120_000 }, () => {
  let node: CliNode;
  let api: ReturnType<typeof clients>;

  before(async () => {
    node = await cliNode(['--simulate', '--listen', '127.0.0.1:0', '--log-level', 'warn']);
    api = clients(node.address);
    for (const name of [EVIL, 'aaa'])
      for await (const _ of api.compute.createServer({
        location: at,
        name,
        image: 'cirros-0.6.2-x86_64-disk',
        flavor: 'm1.tiny',
        floatingIp: FloatingIPMode.FLOATING_IP_MODE_NONE,
        wait: true,
      } as any));
  });

  after(async () => {
    api?.close();
    if (!node) return;
    node.child.kill('SIGTERM');
    // A node stuck in a regex cannot run its SIGTERM handler.
    await within(node.exited, 10_000, 'the node to stop').catch(() => {
      node.child.kill('SIGKILL');
      return node.exited;
    });
  });

  test('a watch with a pathological pattern shows the right servers while the node answers other calls', async () => {
    const abort = new AbortController();
    const stream = api.compute
      .watchServers({ location: at, nameRegex: PATHOLOGICAL }, { signal: abort.signal })
      [Symbol.asyncIterator]();
    const next = async () => {
      for (;;) {
        const { value } = await within(stream.next(), BOUND_MS, 'the next watch message');
        if (value.item?.$case === 'event') return value.item.value.server?.name;
        if (value.item?.$case === 'checkpoint' && value.item.value.initialStateComplete) return 'synced';
      }
    };
    const list = (nameRegex: string) =>
      within(collect(api.compute.listServers({ location: at, strict: true, nameRegex })), BOUND_MS, 'ListServers');
    try {
      assert.equal(await next(), 'aaa');
      assert.equal(await next(), 'synced', 'the 40-a name does not match: it ends in "!"');
      // While the watch runs, the same node answers: an unfiltered list, and a list with the same pattern.
      const all = names(await list(''));
      assert.ok(all.includes(EVIL) && all.includes('aaa'), all.join(', '));
      assert.deepEqual(names(await list(PATHOLOGICAL)), ['aaa']);
      // A change to the non-matching server is checked against the pattern and not told; a matching one is.
      await api.compute.setServerMetadata({ location: at, nameOrId: EVIL, metadata: { touched: 'yes' } });
      await api.compute.updateServer({ location: at, nameOrId: 'aaa', name: 'aaaa' });
      assert.equal(await next(), 'aaaa');
    } finally {
      abort.abort(); // ends the call; the client's pending read then rejects with AbortError, which is expected
    }
  });
});
