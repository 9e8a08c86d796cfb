// One cloud from clouds.yaml as a Backend: a HandlerBackend whose locations are the cloud's regions (scoped
// project from the token) and whose handlers come from the compute, network, image and volume modules.
import type { CloudConfig } from '../../config/clouds/types.ts';
import type { Location, Project } from '../../gen/oaktree/v1/location.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Backend, CallContext } from '../backend.ts';
import { HandlerBackend, type LocationHandlers } from '../handler-backend.ts';
import { computeHandlers } from './compute/handlers.ts';
import { identityHandlers } from './identity/handlers.ts';
import { imageHandlers } from './image/handlers.ts';
import { networkHandlers } from './network/handlers.ts';
import { objectStoreHandlers } from './object-store/handlers.ts';
import { volumeHandlers } from './volume/handlers.ts';
import { watchHandlers } from './watch/handlers.ts';
import { regionConfigFor, unknownRegion, type RegionContext, type RegionResolver } from './region.ts';
import { oncePerRequestId } from './request-once.ts';
import { localServices, type OpenStackServices } from './services.ts';
import { CloudSession, type CloudSessionOptions } from './transport/index.ts';
import { cachedReads } from '../../cache/read-sharing.ts';
import { Methods, type MethodKey } from '../../core/methods.ts';

export interface OpenStackBackendOptions {
  logger: Logger;
  /** How many handler calls may run at once against this cloud (default 16). */
  concurrency?: number;
  /** Passed to the CloudSession (retry policy, HTTP options, microversion range). */
  session?: Omit<CloudSessionOptions, 'logger'>;
  /** The node's services (src/node/services.ts); default: private in-memory ones, closed with the backend. */
  services?: OpenStackServices;
}

export function createOpenStackBackend(cloud: CloudConfig, options: OpenStackBackendOptions): Backend {
  const logger = options.logger.child({ cloud: cloud.name });
  const owned = options.services ? undefined : localServices();
  const services = options.services ?? owned!;
  // Collection reads are shared and briefly kept in the node's cache (memory, or Redis with replicas).
  const session = new CloudSession(cloud, { reads: cachedReads(services.cache), ...options.session, logger });
  const state = new CloudState(cloud, session, services, logger);
  const handlersOn = (resolve: RegionResolver) =>
    mergeHandlers(
      ['compute', computeHandlers(resolve)],
      ['network', networkHandlers(resolve)],
      ['image', imageHandlers(resolve)],
      ['volume', volumeHandlers(resolve)],
      ['identity', identityHandlers(resolve)],
      ['object-store', objectStoreHandlers(resolve)],
      // WatchServers from the region's shared poller; compute's WaitForServer waits on that poller too.
      ['watch', watchHandlers(resolve)],
    );
  const handlers = handlersOn((target) => state.resolve(target));
  const freshHandlers = handlersOn((target) => state.resolve(target, { fresh: true }));
  return new HandlerBackend({
    id: `cloud:${cloud.name}`,
    locations: () => state.locations(),
    handlers: oncePerRequestId(withFreshReads(handlers, freshHandlers), freshHandlers, (target) =>
      state.resolve(target),
    ),
    concurrency: options.concurrency,
    start: () => state.start(),
    close: async () => {
      session.close();
      await owned?.close();
    },
  });
}

/** What the backend knows about its cloud: whether it is authenticated, its regions, its project. */
class CloudState {
  /**
   * Project and regions as of the last successful authentication. Kept across a revoked token and a Keystone
   * outage, so route selection never needs a live token: the outage stays this cloud's in-band error.
   */
  #known?: { project: Project; regions: string[] };
  /** Set while Keystone fails, so the outage is logged once and its end once. */
  #outage = false;
  readonly #contexts = new Map<string, RegionContext>();

  constructor(
    readonly cloud: CloudConfig,
    readonly session: CloudSession,
    readonly services: OpenStackServices,
    readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    try {
      await this.#authenticate();
    } catch {
      // The node still starts: the configured regions stay listed and their calls answer with this error in-band.
    }
  }

  async #authenticate(signal?: AbortSignal): Promise<void> {
    try {
      await this.session.authenticate(signal);
    } catch (error) {
      if (!this.#outage && !signal?.aborted) {
        this.#outage = true;
        this.logger.warn(
          { err: (error as Error).message },
          'cloud authentication failing; its locations answer in-band errors until it recovers',
        );
      }
      throw error;
    }
    if (this.#outage) {
      this.#outage = false;
      this.logger.info({}, 'cloud authentication recovered');
    }
    const p = this.session.project();
    const project = { id: p.id, name: p.name, domainId: p.domainId, domainName: p.domainName };
    if (!this.#known) this.#contexts.clear(); // the project and regions are known now
    this.#known = { project, regions: this.session.regions() };
  }

  /** Regions after authentication (config, else catalog); before it, the configured ones. */
  regionNames(): string[] {
    const names = this.#known ? this.#known.regions : this.cloud.regions.map((r) => r.region).filter(Boolean);
    return names.length ? names : [''];
  }

  project(): Project {
    if (this.#known) return this.#known.project;
    // Not authenticated yet: what clouds.yaml says, so selectors by project name still route here.
    const auth = this.cloud.regions[0].auth;
    return {
      id: auth.projectId ?? '',
      name: auth.projectName ?? '',
      domainId: auth.projectDomainId ?? '',
      domainName: auth.projectDomainName ?? '',
    };
  }

  locations(): Location[] {
    const project = this.project();
    return this.regionNames().map((region) => ({ cloud: this.cloud.name, region, zone: '', project }));
  }

  /** The region's context; with `fresh`, one whose session skips kept shared reads. */
  async resolve(target: Location, options: { fresh?: boolean } = {}): Promise<RegionContext> {
    if (target.cloud !== this.cloud.name) {
      throw unknownRegion(this.cloud, target, this.regionNames());
    }
    // Every call re-checks the token; a cloud that failed to authenticate is retried here.
    await this.#authenticate();
    const known = this.regionNames();
    if (!known.includes(target.region)) throw unknownRegion(this.cloud, target, known);
    let ctx = this.#contexts.get(target.region);
    if (!ctx) {
      ctx = {
        cloud: this.cloud,
        regionConfig: regionConfigFor(this.cloud, target.region),
        region: target.region,
        session: this.session,
        location: { cloud: this.cloud.name, region: target.region, zone: '', project: this.project() },
        credentialKey: await this.session.credentialKey(target.region),
        services: this.services,
        logger: this.logger.child({ region: target.region }),
      };
      this.#contexts.set(target.region, ctx);
    }
    return options.fresh ? { ...ctx, session: this.session.withFreshReads() } : ctx;
  }
}

/**
 * Merges handler tables from the service modules. Two modules answering the same RPC is a wiring mistake, and a
 * silent override would hide it: fail at start-up instead.
 */
export function mergeHandlers(...tables: Array<[string, LocationHandlers]>): LocationHandlers {
  const merged: Record<string, unknown> = {};
  const owner = new Map<string, string>();
  for (const [module, table] of tables) {
    for (const [key, handler] of Object.entries(table)) {
      if (handler === undefined) continue;
      if (owner.has(key)) throw new Error(`both ${owner.get(key)} and ${module} handle ${key}`);
      owner.set(key, module);
      merged[key] = handler;
    }
  }
  return merged as LocationHandlers;
}

type ListHandler = (request: { fresh?: boolean }, target: unknown, ctx: CallContext) => AsyncIterable<unknown>;

/** A list asked for `fresh` data runs the handler built on regions whose session skips kept shared reads. */
function withFreshReads(handlers: LocationHandlers, freshHandlers: LocationHandlers): LocationHandlers {
  const wrapped: Record<string, unknown> = { ...handlers };
  for (const key of Object.keys(handlers) as MethodKey[]) {
    const plain = handlers[key] as ListHandler | undefined;
    const fresh = freshHandlers[key] as ListHandler | undefined;
    if (!plain || !fresh || Methods[key].kind !== 'list') continue;
    wrapped[key] = (request: { fresh?: boolean }, target: unknown, ctx: CallContext) =>
      (request.fresh ? fresh : plain)(request, target, ctx);
  }
  return wrapped as LocationHandlers;
}
