// A replica in its own process (killed by the test to prove a leader's death hands over): it serves one
// region's feed through Redis with one watcher subscribed, and says on stdout when it leads.
import { regionContextFrom } from './helpers.ts';
import { connectRedis } from '../../../src/cache/redis/connection.ts';
import { ReplicatedFeed } from '../../../src/cache/redis/replicated-feed.ts';
import { serverListFetch } from '../../../src/backends/openstack/watch/upstream.ts';

const [redisUrl, cloudsFile, region, fast] = process.argv.slice(2);
const ctx = await regionContextFrom(cloudsFile, region);
const redis = await connectRedis(redisUrl);
const feed = new ReplicatedFeed(ctx.credentialKey, serverListFetch(ctx), {
  // the key the hub gives the region
  redis,
  replicaId: `child-${process.pid}`,
  lockTtlMs: 1_500,
  poller: { fastIntervalMs: Number(fast), slowIntervalMs: 5_000 },
});
await feed.ready(new AbortController().signal);
feed.subscribe('watch');
let said = false;
setInterval(() => {
  if (feed.isLeader && !said) {
    said = true;
    process.stdout.write('LEADER\n');
  }
}, 50);
process.stdout.write('READY\n');
