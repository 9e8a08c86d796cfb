// One cloud from clouds.yaml as a Backend: a HandlerBackend whose locations are the cloud's regions (scoped
// project from the token) and whose handlers come from the compute, network, image and volume modules.
import type { CloudConfig } from '../../config/clouds/types.ts';
import type { Location, Project } from '../../gen/oaktree/v1/location.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Backend, CallContext } from '../backend.ts';
import { toServerError } from '../../api/errors.ts';
import { HandlerBackend, type LocationHandlers } from '../handler-backend.ts';
import { computeHandlers } from './compute/handlers.ts';
import { imageHandlers } from './image/handlers.ts';
import { networkHandlers } from './network/handlers.ts';
import { volumeHandlers } from './volume/handlers.ts';
import { regionConfigFor, unknownRegion, withGrpcCode, type RegionContext, type RegionResolver } from './region.ts';
import { CloudSession, type CloudSessionOptions } from './transport/index.ts';

export interface OpenStackBackendOptions {
  logger: Logger;
  /** How many handler calls may run at once against this cloud (default 16). */
  concurrency?: number;
  /** Passed to the CloudSession (retry policy, HTTP options, microversion range). */
  session?: Omit<CloudSessionOptions, 'logger'>;
}

export function createOpenStackBackend(cloud: CloudConfig, options: OpenStackBackendOptions): Backend {
  const logger = options.logger.child({ cloud: cloud.name });
  const session = new CloudSession(cloud, { ...options.session, logger });
  const state = new CloudState(cloud, session, logger);
  const resolve: RegionResolver = (target) => state.resolve(target);
  const handlers: LocationHandlers = {
    ...computeHandlers(resolve),
    ...networkHandlers(resolve),
    ...imageHandlers(resolve),
    ...volumeHandlers(resolve),
  };
  return new HandlerBackend({
    id: `cloud:${cloud.name}`,
    locations: () => state.locations(),
    handlers: withGrpcCodes(handlers),
    concurrency: options.concurrency,
    start: () => state.start(),
    close: async () => session.close(),
  });
}

/** What the backend knows about its cloud: whether it is authenticated, its regions, its project. */
class CloudState {
  #authenticated = false;
  readonly #contexts = new Map<string, RegionContext>();

  constructor(
    readonly cloud: CloudConfig,
    readonly session: CloudSession,
    readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    try {
      await this.#authenticate();
    } catch (error) {
      // The node still starts: the configured regions stay listed and their calls answer with this error in-band.
      this.logger.warn({ err: (error as Error).message }, 'cloud failed to authenticate; will retry on the next call');
    }
  }

  async #authenticate(signal?: AbortSignal): Promise<void> {
    try {
      await this.session.authenticate(signal);
      if (!this.#authenticated) this.#contexts.clear(); // the project and regions are known now
      this.#authenticated = true;
    } catch (error) {
      throw withGrpcCode(error);
    }
  }

  /** Regions after authentication (config, else catalog); before it, the configured ones. */
  regionNames(): string[] {
    const names = this.#authenticated ? this.session.regions() : this.cloud.regions.map((r) => r.region).filter(Boolean);
    return names.length ? names : [''];
  }

  project(): Project {
    if (this.#authenticated) {
      const p = this.session.project();
      return { id: p.id, name: p.name, domainId: p.domainId, domainName: p.domainName };
    }
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

  async resolve(target: Location): Promise<RegionContext> {
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
        logger: this.logger.child({ region: target.region }),
      };
      this.#contexts.set(target.region, ctx);
    }
    return ctx;
  }
}

/**
 * Wraps every handler so failures reach the API layer as ServerErrors with the right code: transport errors carry
 * their code in `code` (not `grpcCode`), and the Backend contract says unary and streaming calls throw ServerErrors.
 */
function withGrpcCodes(handlers: LocationHandlers): LocationHandlers {
  const wrapped: Record<string, unknown> = {};
  for (const [key, handler] of Object.entries(handlers)) {
    if (typeof handler !== 'function') continue;
    wrapped[key] = (...args: unknown[]) => {
      const signal = (args[2] as CallContext | undefined)?.signal;
      const fail = (error: unknown): never => {
        throw toServerError(withGrpcCode(error), signal);
      };
      let result: unknown;
      try {
        result = (handler as (...a: unknown[]) => unknown)(...args);
      } catch (error) {
        fail(error);
      }
      if (result && typeof (result as Promise<unknown>).then === 'function') return (result as Promise<unknown>).catch(fail);
      if (result && Symbol.asyncIterator in (result as object)) return recode(result as AsyncIterable<unknown>, fail);
      return result;
    };
  }
  return wrapped as LocationHandlers;
}

async function* recode<T>(source: AsyncIterable<T>, fail: (error: unknown) => never): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (error) {
    fail(error);
  }
}
