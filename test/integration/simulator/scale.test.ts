// 100,000 servers in one region, listed by pages: bounded memory, markers that do not rescan.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startSimulator } from '../../../src/simulator/index.ts';

test('the default simulated clouds start in under a second', async () => {
  const started = performance.now();
  const sim = await startSimulator();
  const ms = performance.now() - started;
  await sim.close();
  console.log(`default clouds started in ${Math.round(ms)} ms`);
  assert.ok(ms < 1000, `started in ${Math.round(ms)} ms`);
});

test('100k servers page through /servers/detail with a bounded RSS', async () => {
  const sim = await startSimulator({ clouds: [{ name: 'big', seedServers: 100_000, seedImages: 1 }] });
  try {
    const res = await fetch(`${sim.clouds[0].authUrl}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'demo', domain: { id: 'default' }, password: 'secret' } },
          },
        },
      }),
    });
    const token = res.headers.get('x-subject-token')!;
    const body: any = await res.json();
    const compute = body.token.catalog.find((s: any) => s.type === 'compute').endpoints[0].url;
    let url: string | undefined = `${compute}/servers/detail?limit=1000`;
    let count = 0;
    const pageMs: number[] = [];
    while (url) {
      const started = performance.now();
      const page: any = await (await fetch(url, { headers: { 'X-Auth-Token': token } })).json();
      pageMs.push(performance.now() - started);
      count += page.servers.length;
      url = page.servers_links?.find((l: any) => l.rel === 'next')?.href;
    }
    // What the simulator holds, not the garbage of the 100 pages this test just parsed: RSS read without a full
    // collection first ranged 267-401 MB for the same code, depending on when V8 last collected.
    collectGarbage();
    const rssMB = Math.round(process.memoryUsage().rss / 1e6);
    const heapMB = Math.round(process.memoryUsage().heapUsed / 1e6);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const [first, last] = [median(pageMs.slice(0, 10)), median(pageMs.slice(-10))];
    console.log(
      `100k servers: listed ${count}, median page ${Math.round(first)} ms first, ${Math.round(last)} ms last, rss ${rssMB} MB, heap ${heapMB} MB`,
    );
    assert.equal(count, 100_000);
    // Issue 21's budget, on what the simulator keeps: ≈114 MB of heap after a full collection (ids flattened, port
    // bookkeeping compacted; before, ≈600 bytes more per id alone). RSS is printed, not asserted: V8 keeps freed pages,
    // so it varies with the machine's load.
    assert.ok(heapMB < 160, `heap ${heapMB} MB after a full collection`);
    // The last pages are as quick as the first ones: marker lookup is not a scan from the start. Compared with
    // each other rather than with a wall-clock bound, so a busy machine slows both alike.
    assert.ok(last < 3 * first + 50, `median page ${first} ms first, ${last} ms last`);
  } finally {
    await sim.close();
  }
});

/** A full collection now (the test runner starts files without --expose-gc, so it is turned on here). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
