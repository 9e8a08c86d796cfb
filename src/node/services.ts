// A node's services, built once per node and passed down to every backend it makes: shared state (memory, or
// Redis when configured), the TTL cache with its single-flight loads, request locks, the watch hub with its
// feed registry, and the key that signs watch resume tokens (shared by replicas). Two nodes in one process each
// have their own: nothing is shared through module state.
import { startSharedServices, type SharedServicesOptions } from '../cache/node-shared.ts';
import { loadWatchTokenKey } from '../cache/watch-token-key.ts';
import type { WatchTokenKey } from '../cache/watch-token.ts';
import { withWatchHub, type ServicesWithWatch } from '../backends/openstack/services.ts';
import type { WatchHubOptions } from '../backends/openstack/watch/hub.ts';

export type NodeServices = ServicesWithWatch & { watchTokenKey: WatchTokenKey };

export interface NodeServicesOptions extends SharedServicesOptions {
  /** Poller timing and watch checkpoints (default: production timing). */
  watch?: Omit<WatchHubOptions, 'factory'>;
  /** node config `watch_tokens.secret_file`; absent: the key stored in Redis, or one for this run. */
  watchTokenSecretFile?: string;
}

export async function startNodeServices(options: NodeServicesOptions = {}): Promise<NodeServices> {
  // A bad secret file fails before anything is started.
  const fromFile = options.watchTokenSecretFile
    ? await loadWatchTokenKey({ secretFile: options.watchTokenSecretFile })
    : undefined;
  const shared = await startSharedServices(options);
  try {
    const watchTokenKey = fromFile ?? (await loadWatchTokenKey({ redis: shared.redis }));
    return { ...withWatchHub(shared, options.watch), watchTokenKey };
  } catch (error) {
    await shared.close();
    throw error;
  }
}
