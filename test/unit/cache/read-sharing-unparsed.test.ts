// Shared reads of answers left as bytes (core/unparsed-body.ts): a list page fetched ahead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedReads, type SharedResponse } from '../../../src/cache/read-sharing.ts';
import { memorySharedServices } from '../../../src/cache/node-shared.ts';
import { UnparsedBody } from '../../../src/core/unparsed-body.ts';

function answer(servers: number): SharedResponse {
  const body = { servers: Array.from({ length: servers }, (_, i) => ({ id: `s${i}`, name: 'x'.repeat(100) })) };
  return { status: 200, headers: {}, body: new UnparsedBody(Buffer.from(JSON.stringify(body)), 'application/json') };
}

test('a small answer left as bytes is kept parsed: the next reader needs no load', { timeout: 5000 }, async () => {
  const shared = memorySharedServices();
  const reads = cachedReads(shared.cache);
  let loads = 0;
  const load = async () => {
    loads++;
    return answer(3);
  };
  const first = await reads.share('k', load, { fresh: false });
  const second = await reads.share('k', load, { fresh: false });
  assert.equal(loads, 1);
  for (const response of [first, second]) assert.equal((response.body as { servers: unknown[] }).servers.length, 3);
  await shared.close();
});

test('a big answer left as bytes goes to every sharer as bytes, and is not kept', { timeout: 5000 }, async () => {
  const shared = memorySharedServices();
  const reads = cachedReads(shared.cache, { maxUnparsedBytes: 1024 });
  let loads = 0;
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const load = async () => {
    loads++;
    await gate;
    return answer(50);
  };
  // Two readers at once share one load; each gets the bytes to parse into objects of its own.
  const together = [reads.share('k', load, { fresh: false }), reads.share('k', load, { fresh: false })];
  release();
  const [a, b] = await Promise.all(together);
  assert.equal(loads, 1);
  assert.ok(a.body instanceof UnparsedBody && b.body instanceof UnparsedBody);
  const [parsedA, parsedB] = [a, b].map((r) => (r.body as UnparsedBody).parse() as { servers: unknown[] });
  assert.equal(parsedA.servers.length, 50);
  assert.notEqual(parsedA.servers, parsedB.servers);
  await reads.share('k', load, { fresh: false });
  assert.equal(loads, 2, 'a big answer is not kept');
  await shared.close();
});

test('an unparsed body reads as JSON, as text when it is not JSON, and as nothing when empty', () => {
  assert.deepEqual(new UnparsedBody(Buffer.from('{"a":1}'), 'application/json').parse(), { a: 1 });
  assert.equal(new UnparsedBody(Buffer.from('{broken'), 'application/json').parse(), '{broken');
  assert.equal(new UnparsedBody(Buffer.from('plain words'), 'text/plain').parse(), 'plain words');
  assert.equal(new UnparsedBody(Buffer.alloc(0), 'application/json').parse(), undefined);
});
