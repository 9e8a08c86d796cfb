// A local backend with canned objects, for testing the node, the router and the mesh without a cloud.
// It is a real HandlerBackend behind a real gRPC server; only the cloud behind it is replaced by fixed data.
import { delay } from 'abort-controller-x';
import { ServerError } from 'nice-grpc';
import type { Status } from 'nice-grpc-common';
import { HandlerBackend, type LocationHandlers } from '../../src/backends/handler-backend.ts';
import { Flavor } from '../../src/gen/oaktree/v1/compute.ts';
import type { Location } from '../../src/gen/oaktree/v1/location.ts';

export function location(cloud: string, region = 'RegionOne', project = 'demo'): Location {
  return {
    cloud,
    region,
    zone: '',
    project: { id: `${project}-id`, name: project, domainId: 'default', domainName: 'Default' },
  };
}

export interface FixedBackendOptions {
  cloud: string;
  regions?: string[];
  /** Flavors per region, named f-<n>. */
  flavors?: number;
  /** Added before each item, to make a slow cloud. */
  itemDelayMs?: number;
  /** Fail every list in these regions with this code. */
  failRegions?: Record<string, Status>;
  /** Counts calls, to show cancellation stops work. */
  counters?: CallCounters;
  handlers?: LocationHandlers;
}

/** Counts listFlavors calls; `ended(n)` resolves once n calls have ended (finished, aborted or failed). */
export class CallCounters {
  started = 0;
  finished = 0;
  aborted = 0;
  failed = 0;
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];

  ended(count = 1): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ count, resolve });
      this.notify();
    });
  }

  notify(): void {
    const ended = this.finished + this.aborted + this.failed;
    for (const waiter of this.waiters.filter((w) => ended >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

export function fixedBackend(options: FixedBackendOptions): HandlerBackend {
  const locations = (options.regions ?? ['RegionOne']).map((region) => location(options.cloud, region));
  const handlers: LocationHandlers = {
    async *listFlavors(request, target, ctx) {
      const counters = options.counters;
      if (counters) counters.started++;
      try {
        const failure = options.failRegions?.[target.region];
        if (failure !== undefined) throw new ServerError(failure, `region ${target.region} is down`);
        for (let n = 0; n < (options.flavors ?? 3); n++) {
          if (options.itemDelayMs) await delay(ctx.signal, options.itemDelayMs);
          const flavor = Flavor.fromPartial({
            location: target,
            id: `${target.cloud}-${target.region}-f${n}`,
            name: `f-${n}`,
            vcpus: n + 1,
            ramMb: 512 * (n + 1),
          });
          if (request.nameOrId && request.nameOrId !== flavor.name && request.nameOrId !== flavor.id) continue;
          yield flavor;
        }
        if (counters) counters.finished++;
      } catch (error) {
        if (counters && ctx.signal.aborted) counters.aborted++;
        else if (counters) counters.failed++;
        throw error;
      } finally {
        counters?.notify();
      }
    },
    ...options.handlers,
  };
  return new HandlerBackend({ id: `cloud:${options.cloud}`, locations: () => locations, handlers });
}
