// A node's services, built once per node and passed down to every backend it makes: shared state (memory, or
// Redis when configured), the TTL cache with its single-flight loads, request locks and the watch hub with its
// feed registry. Two nodes in one process each have their own: nothing is shared through module state.
import { startSharedServices, type SharedServicesOptions } from '../cache/node-shared.ts';
import { withWatchHub, type ServicesWithWatch } from '../backends/openstack/services.ts';
import type { WatchHubOptions } from '../backends/openstack/watch/hub.ts';

export type NodeServices = ServicesWithWatch;

export interface NodeServicesOptions extends SharedServicesOptions {
  /** Poller timing and watch checkpoints (default: production timing). */
  watch?: Omit<WatchHubOptions, 'factory'>;
}

export async function startNodeServices(options: NodeServicesOptions = {}): Promise<NodeServices> {
  return withWatchHub(await startSharedServices(options), options.watch);
}
