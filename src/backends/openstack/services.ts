// What an OpenStack backend takes from its node: the TTL cache (shared reads), the request locks (a retried
// CreateServer runs once) and the watch hub (one feed per cloud-region-credential). The node builds them once
// (src/node/services.ts) and passes them to every backend it makes; nothing here is module-level.
import { memorySharedServices, type SharedServices } from '../../cache/node-shared.ts';
import type { RequestLocks } from '../../cache/request-lock.ts';
import type { TtlCache } from '../../cache/ttl-cache.ts';
import { WatchHub, type WatchHubOptions } from './watch/hub.ts';
import { StatusFeeds } from './volume/status-feeds.ts';

export interface OpenStackServices {
  cache: TtlCache;
  requestLocks: RequestLocks;
  watch: WatchHub;
  /** Shared pollers that block-storage waits (volumes, snapshots, backups) are fed by. */
  blockStorage: StatusFeeds;
}

/** Shared state plus the watch hub on top of it (its feeds replicated through Redis when that is configured). */
export type ServicesWithWatch = SharedServices & { watch: WatchHub; blockStorage: StatusFeeds };

export function withWatchHub(shared: SharedServices, hub: Omit<WatchHubOptions, 'factory'> = {}): ServicesWithWatch {
  const watch = new WatchHub({ ...hub, factory: shared.feedFactory });
  const blockStorage = new StatusFeeds(hub.poller);
  return {
    ...shared,
    watch,
    blockStorage,
    async close() {
      await watch.close();
      await blockStorage.close();
      await shared.close();
    },
  };
}

/** Services of this process only, for a backend built without a node (tests, embedding); its owner closes them. */
export function localServices(hub?: Omit<WatchHubOptions, 'factory'>): ServicesWithWatch {
  return withWatchHub(memorySharedServices(), hub);
}
