// 100,000 servers in one region, listed by pages: bounded memory, markers that do not rescan.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulator } from '../../../src/simulator/index.ts';

test('100k servers page through /servers/detail with a bounded RSS', async () => {
  const sim = await startSimulator({ clouds: [{ name: 'big', seedServers: 100_000, seedImages: 1 }] });
  try {
    const res = await fetch(`${sim.clouds[0].authUrl}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'demo', domain: { id: 'default' }, password: 'secret' } } } } }),
    });
    const token = res.headers.get('x-subject-token')!;
    const body: any = await res.json();
    const compute = body.token.catalog.find((s: any) => s.type === 'compute').endpoints[0].url;
    let url: string | undefined = `${compute}/servers/detail?limit=1000`;
    let count = 0;
    let slowest = 0;
    while (url) {
      const started = performance.now();
      const page: any = await (await fetch(url, { headers: { 'X-Auth-Token': token } })).json();
      slowest = Math.max(slowest, performance.now() - started);
      count += page.servers.length;
      url = page.servers_links?.find((l: any) => l.rel === 'next')?.href;
    }
    const rssMB = Math.round(process.memoryUsage().rss / 1e6);
    console.log(`100k servers: listed ${count}, slowest page ${Math.round(slowest)} ms, rss ${rssMB} MB`);
    assert.equal(count, 100_000);
    assert.ok(rssMB < 800, `rss ${rssMB} MB`);
    // The last page is as quick as the first: marker lookup is not a scan from the start.
    assert.ok(slowest < 1500, `slowest page ${slowest} ms`);
  } finally {
    await sim.close();
  }
});
