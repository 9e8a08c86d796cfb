import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWatchToken, locationToken, positionIn, withMergedTokens, WatchTokenMerger } from '../../../src/cache/watch-token.ts';

test('watch tokens: per-location tokens merge into one, each location reads its own position back', async () => {
  const merger = new WatchTokenMerger('');
  merger.absorb(locationToken('c/r1/p', 'E1', 4));
  const merged = merger.absorb(locationToken('c/r2/p', 'E2', 9));
  assert.deepEqual(positionIn(merged, 'c/r1/p'), { epoch: 'E1', seq: 4 });
  assert.deepEqual(positionIn(merged, 'c/r2/p'), { epoch: 'E2', seq: 9 });
  assert.equal(positionIn(merged, 'c/r3/p'), undefined, 'a location not in the token starts with a snapshot');
  // Mid-snapshot positions are empty: that location starts over.
  const mid = new WatchTokenMerger(merged).absorb(locationToken('c/r1/p', 'E1', undefined));
  assert.equal(positionIn(mid, 'c/r1/p'), undefined);
  assert.deepEqual(positionIn(mid, 'c/r2/p'), { epoch: 'E2', seq: 9 });
  // Messages without a token (in-band errors) carry the current merged one.
  assert.equal(new WatchTokenMerger(merged).absorb(''), merged);
});

test('watch tokens: the stream helper stamps every message with the whole-watch token', async () => {
  async function* source() {
    yield { resumeToken: locationToken('a', 'E', 1), n: 1 };
    yield { resumeToken: '', n: 2 };
    yield { resumeToken: locationToken('b', 'F', 2), n: 3 };
  }
  const out = [];
  for await (const m of withMergedTokens('', source())) out.push(m);
  assert.equal(decodeWatchToken(out[1].resumeToken).get('a'), 'E.1');
  assert.deepEqual(Object.fromEntries(decodeWatchToken(out[2].resumeToken)), { a: 'E.1', b: 'F.2' });
});

test('watch tokens: garbage is INVALID_ARGUMENT with a hint', () => {
  for (const bad of ['x', Buffer.from('{"v":2}').toString('base64url'), Buffer.from('{"v":1,"p":{"a":3}}').toString('base64url')]) {
    assert.throws(() => decodeWatchToken(bad), (e: any) => e.grpcCode === 3 && /start over/.test(e.message));
  }
  const damaged = Buffer.from('{"v":1,"p":{"a":"nodot"}}').toString('base64url');
  assert.throws(() => positionIn(damaged, 'a'), (e: any) => e.grpcCode === 3);
});
