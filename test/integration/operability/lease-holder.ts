// A replica that takes every slot of a shared concurrency limit and then dies without giving them back: run as a
// child process by shared-limits.test.ts, which kills it with SIGKILL once it prints "held".
// argv: redis URL, namespace, slots, lease TTL ms.
import { connectRedis } from '../../../src/cache/redis/connection.ts';
import { SharedLimits } from '../../../src/cache/redis/shared-limits.ts';

const [url, namespace, slots, ttl] = process.argv.slice(2);
const redis = await connectRedis(url);
const limits = new SharedLimits({ redis, namespace, leaseTtlMs: Number(ttl) });
const gate = limits.gate('cloud', '');
for (let i = 0; i < Number(slots); i++) {
  const lease = await gate.lease(Number(slots), undefined, undefined, () => new Error('no slot'));
  if (!lease) throw new Error('Redis did not answer');
}
process.stdout.write('held\n');
setInterval(() => {}, 60_000); // holds (and renews) its leases until killed
