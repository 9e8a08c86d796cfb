import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeWatchToken,
  encodeWatchToken,
  locationToken,
  MAX_WATCH_TOKEN_CHARS,
  opaqueIn,
  opaqueToken,
  positionIn,
  signWatchToken,
  verifyWatchToken,
  WatchTokenKey,
  WatchTokenMerger,
  withMergedTokens,
} from '../../../src/cache/watch-token.ts';

const key = new WatchTokenKey('a secret of at least sixteen bytes');

test('watch tokens: per-location tokens merge into one, each location reads its own position back', async () => {
  const merger = new WatchTokenMerger('', key);
  merger.absorb(locationToken('c/r1/p', 'E1', 4));
  const merged = merger.absorb(locationToken('c/r2/p', 'E2', 9));
  assert.deepEqual(positionIn(merged, 'c/r1/p'), { epoch: 'E1', seq: 4 });
  assert.deepEqual(positionIn(merged, 'c/r2/p'), { epoch: 'E2', seq: 9 });
  assert.equal(positionIn(merged, 'c/r3/p'), undefined, 'a location not in the token starts with a snapshot');
  // Mid-snapshot positions are empty: that location starts over.
  const mid = new WatchTokenMerger(merged, key).absorb(locationToken('c/r1/p', 'E1', undefined));
  assert.equal(positionIn(mid, 'c/r1/p'), undefined);
  assert.deepEqual(positionIn(mid, 'c/r2/p'), { epoch: 'E2', seq: 9 });
  // Messages without a token (in-band errors) carry the current merged one.
  assert.equal(new WatchTokenMerger(merged, key).absorb(''), merged);
});

test('watch tokens: a peer token rides inside opaquely and comes back out unchanged', () => {
  const peerToken = signWatchToken(
    { positions: new Map([['x/r/p', 'P.7']]), opaque: new Map() },
    WatchTokenKey.random(),
  );
  const merger = new WatchTokenMerger('', key);
  merger.absorb(locationToken('c/r1/p', 'E1', 4));
  const merged = merger.absorb(opaqueToken('peer:a', peerToken));
  assert.equal(opaqueIn(merged, 'peer:a'), peerToken);
  assert.equal(opaqueIn(merged, 'peer:b'), '');
  assert.equal(positionIn(merged, 'x/r/p'), undefined, "a peer's positions are not ours");
});

test('watch tokens: the stream helper stamps every message with the whole-watch token', async () => {
  async function* source() {
    yield { resumeToken: locationToken('a', 'E', 1), n: 1 };
    yield { resumeToken: '', n: 2 };
    yield { resumeToken: locationToken('b', 'F', 2), n: 3 };
  }
  const out = [];
  for await (const m of withMergedTokens('', source(), key)) out.push(m);
  assert.equal(decodeWatchToken(out[1].resumeToken).positions.get('a'), 'E.1');
  assert.deepEqual(Object.fromEntries(verifyWatchToken(out[2].resumeToken, key).positions), { a: 'E.1', b: 'F.2' });
});

test('watch tokens: garbage and unsigned tokens are INVALID_ARGUMENT with a hint', () => {
  const unsigned = encodeWatchToken(new Map([['a', 'E.3']]));
  for (const bad of [
    'x',
    unsigned,
    Buffer.from('{"v":1,"p":{"a":"E.3"}}').toString('base64url'),
    `v2.${key.id}.${unsigned}.AAAA`,
  ]) {
    assert.throws(
      () => verifyWatchToken(bad, key),
      (e: any) => e.grpcCode === 3 && /start over/.test(e.message),
      bad,
    );
  }
  const damaged = encodeWatchToken(new Map([['a', 'nodot']]));
  assert.throws(
    () => positionIn(damaged, 'a'),
    (e: any) => e.grpcCode === 3,
  );
});

test('watch tokens: a forged token with invented positions is refused, never echoed (issue 22, defect 8)', async () => {
  // The attack: 20,000 invented positions, correctly encoded; before signing this was accepted and echoed.
  const invented = new Map(Array.from({ length: 20_000 }, (_, i) => [`cloud-${i}/r/p`, `E.${i}`] as [string, string]));
  const forged = encodeWatchToken(invented);
  assert.ok(forged.length > MAX_WATCH_TOKEN_CHARS);
  assert.throws(
    () => new WatchTokenMerger(forged, key),
    (e: any) => e.grpcCode === 3 && /more than the/.test(e.message),
  );
  // Small and well-formed, but signed with another key's id: a forgery can't pass as ours.
  const small = new Map([...invented].slice(0, 10));
  const other = new WatchTokenKey('another secret of sixteen bytes+');
  const tampered = signWatchToken({ positions: small, opaque: new Map() }, other).replace(other.id, key.id);
  assert.throws(
    () => new WatchTokenMerger(tampered, key),
    (e: any) => e.grpcCode === 3,
  );
  // Signed by an earlier run of the node (another key): OUT_OF_RANGE, which the SDK follows with a new snapshot.
  assert.throws(
    () => new WatchTokenMerger(signWatchToken({ positions: small, opaque: new Map() }, other), key),
    (e: any) => e.grpcCode === 11,
  );
  // Replicas sharing a secret accept each other's tokens.
  const replica = new WatchTokenKey('a secret of at least sixteen bytes');
  assert.deepEqual(
    verifyWatchToken(signWatchToken({ positions: small, opaque: new Map() }, key), replica).positions,
    small,
  );
});
