// One call for the node: shared state (memory or Redis) and the watch hub on top of it.
import { startSharedServices, type SharedServices, type SharedServicesOptions } from '../../../cache/node-shared.ts';
import { configureWatchHub, type WatchHub, type WatchHubOptions } from './hub.ts';

export interface WatchSetup {
  services: SharedServices;
  hub: WatchHub;
  close(): Promise<void>;
}

export async function setupWatch(options: SharedServicesOptions & { hub?: Omit<WatchHubOptions, 'factory'> } = {}): Promise<WatchSetup> {
  const services = await startSharedServices(options);
  const hub = configureWatchHub({ ...options.hub, factory: services.feedFactory });
  return {
    services,
    hub,
    async close() {
      await hub.close();
      await services.close();
    },
  };
}
