// The per-cloud limiter: paced rate, bounded concurrency (slots handed over in order, never leaked by a caller
// that gives up), a deadline it cannot meet, and a 429 that halves the pace until it recovers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudLimiter } from '../../../src/backends/openstack/transport/limits.ts';
import { GrpcStatus } from '../../../src/backends/openstack/transport/errors.ts';

describe('CloudLimiter', { timeout: 20_000 }, () => {
  it('paces requests to the configured rate', async () => {
    const limiter = new CloudLimiter('c', { rate: 50 });
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 11 }, async () => {
        const release = await limiter.acquire('R');
        times.push(performance.now() - started);
        release();
      }),
    );
    // 11 requests at 50/s: the last one goes 10 × 20 ms after the first.
    assert.ok(Math.max(...times) >= 195, `last request at ${Math.max(...times)} ms`);
    times.sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++)
      assert.ok(times[i] - times[i - 1] >= 15, `gap ${i}: ${times[i] - times[i - 1]}`);
  });

  it('never lets more than `concurrency` requests of a region run at once', async () => {
    const limiter = new CloudLimiter('c', { regions: { R: { concurrency: 2 } } });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const release = await limiter.acquire('R');
        peak = Math.max(peak, ++running);
        await sleep(10);
        running--;
        release();
      }),
    );
    assert.equal(peak, 2);
    // Another region is not limited by R's slots.
    const other = await Promise.all([limiter.acquire('S'), limiter.acquire('S'), limiter.acquire('S')]);
    for (const release of other) release();
  });

  it('a caller that gives up while waiting frees its place, and the slot goes on to the next', async () => {
    const limiter = new CloudLimiter('c', { concurrency: 1 });
    const first = await limiter.acquire('R');
    const giveUp = new AbortController();
    const abandoned = limiter.acquire('R', giveUp.signal);
    const next = limiter.acquire('R');
    giveUp.abort(new Error('caller gave up'));
    await assert.rejects(abandoned, /caller gave up/);
    first();
    const release = await next;
    release();
    (await limiter.acquire('R'))();
  });

  it('a turn past the deadline is RESOURCE_EXHAUSTED, not a hang', async () => {
    const limiter = new CloudLimiter('c', { rate: 1 });
    (await limiter.acquire('R'))();
    await assert.rejects(limiter.acquire('R', undefined, Date.now() + 50), (error: any) => {
      assert.equal(error.code, GrpcStatus.RESOURCE_EXHAUSTED);
      assert.match(error.message, /cloud c: the configured request rate leaves no turn before the deadline/);
      return true;
    });
  });

  it('a 429 halves the pace (not below a tenth), and quiet time brings it back', async () => {
    const changes: Array<{ rate: number; reason: string }> = [];
    let now = 0;
    const limiter = new CloudLimiter(
      'c',
      { rate: 40 },
      { recoverAfterMs: 1000, now: () => now, events: { rateChanged: (c) => changes.push(c) } },
    );
    limiter.throttled('R');
    assert.deepEqual(limiter.rates(), [['', 20]]);
    for (let i = 0; i < 5; i++) limiter.throttled('R');
    assert.deepEqual(limiter.rates(), [['', 4]]);
    now += 1000;
    (await limiter.acquire('R'))();
    assert.deepEqual(limiter.rates(), [['', 8]]);
    assert.match(changes[0].reason, /429/);
    assert.match(changes.at(-1)!.reason, /no 429 for 1 s/);
  });

  it('takes new limits in place (a reload): more slots let waiters in, fewer hold newcomers back, none lifts the limit', async () => {
    const limiter = new CloudLimiter('c', { concurrency: 1 });
    const first = await limiter.acquire('R');
    let secondIn = false;
    const second = limiter.acquire('R').then((release) => ((secondIn = true), release));
    await Promise.resolve();
    assert.equal(secondIn, false, 'one slot: the second waits');
    limiter.update({ concurrency: 2 });
    const releaseSecond = await second; // let in by the new slot, without the first giving its own back
    limiter.update({ concurrency: 1 });
    first();
    let thirdIn = false;
    const third = limiter.acquire('R').then((release) => ((thirdIn = true), release));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(thirdIn, false, 'back to one slot, still held by the second');
    releaseSecond();
    (await third)();
    limiter.update({});
    assert.deepEqual(limiter.rates(), []);
    const all = await Promise.all(Array.from({ length: 5 }, () => limiter.acquire('R')));
    for (const release of all) release();
  });
});
