// request_id under concurrency: a client that retries while its first call still runs sends the same request_id
// twice at once, and two lookups that both find nothing make two objects. Every RPC the method table marks as
// taking a request_id therefore runs one at a time per RPC, credential and request_id (the node's RequestLocks,
// shared through Redis between replicas), so the second call's lookup (tag, metadata or property) finds what the
// first one made. Done here once for every such row, not in each handler. The locked call reads fresh: a kept list
// from before the first call's write would hide its object. A unary call holds the lock to its end; a server stream
// until its first message (its object exists by then; the wait for it to settle runs unlocked); a client stream
// (an upload) to its end, one lock per target location, since a half-sent upload is not an object to hand back.
import { Methods, type MethodKey } from '../../core/methods.ts';
import type { CallContext } from '../backend.ts';
import type { LocationHandlers } from '../handler-backend.ts';
import type { Location } from '../../gen/oaktree/v1/location.ts';
import type { RequestLocks } from '../../cache/request-lock.ts';
import type { RegionResolver } from './region.ts';

type Request = { requestId?: string };
type Unary = (request: Request, target: Location, call: CallContext) => Promise<unknown>;
type Stream = (request: Request, target: Location, call: CallContext) => AsyncIterable<unknown>;
type Upload = (requests: AsyncIterable<unknown>, targets: readonly Location[], call: CallContext) => Promise<unknown>;

/**
 * `handlers` with the request lock around every request_id row; `freshHandlers` are the same handlers on regions
 * whose reads skip kept answers, and run the locked calls.
 */
export function oncePerRequestId(
  handlers: LocationHandlers,
  freshHandlers: LocationHandlers,
  resolve: RegionResolver,
): LocationHandlers {
  const wrapped: Record<string, unknown> = { ...handlers };
  /** Runs fn holding the locks of this RPC and request_id for every target's credential (in one fixed order). */
  const locked = async <T>(
    name: string,
    requestId: string,
    targets: readonly Location[],
    call: CallContext,
    fn: () => Promise<T>,
  ): Promise<T> => {
    const keys = new Set<string>();
    let locks: RequestLocks | undefined;
    for (const target of targets) {
      // A location that cannot be reached now takes no lock: the handler reports its failure as it always does.
      const ctx = await resolve(target).catch(() => undefined);
      if (!ctx) continue;
      keys.add(`${name}:${ctx.credentialKey}:${requestId}`);
      locks = ctx.services.requestLocks;
    }
    if (!locks) return fn();
    const held = locks;
    const holding = ([key, ...rest]: string[]): Promise<T> =>
      key === undefined ? fn() : held.exclusive(key, () => holding(rest), { signal: call.signal });
    return holding([...keys].sort());
  };
  for (const key of Object.keys(handlers) as MethodKey[]) {
    const row = Methods[key];
    if (!('takesRequestId' in row) || !row.takesRequestId) continue;
    if (row.kind === 'unary') {
      const plain = handlers[key] as Unary;
      const fresh = freshHandlers[key] as Unary;
      wrapped[key] = (request: Request, target: Location, call: CallContext) =>
        request.requestId
          ? locked(row.name, request.requestId, [target], call, () => fresh(request, target, call))
          : plain(request, target, call);
    } else if (row.kind === 'server-stream') {
      const plain = handlers[key] as Stream;
      const fresh = freshHandlers[key] as Stream;
      wrapped[key] = async function* (request: Request, target: Location, call: CallContext) {
        if (!request.requestId) return yield* plain(request, target, call);
        const stream = fresh(request, target, call)[Symbol.asyncIterator]();
        const first = await locked(row.name, request.requestId, [target], call, () => stream.next());
        if (first.done) return;
        yield first.value;
        yield* { [Symbol.asyncIterator]: () => stream };
      };
    } else {
      const plain = handlers[key] as Upload;
      const fresh = freshHandlers[key] as Upload;
      wrapped[key] = async (requests: AsyncIterable<unknown>, targets: readonly Location[], call: CallContext) => {
        // The request_id is in the first message: read it, then hand the handler the whole stream again.
        const iterator = requests[Symbol.asyncIterator]();
        const first = await iterator.next();
        const replay = (async function* () {
          if (first.done) return;
          yield first.value;
          yield* { [Symbol.asyncIterator]: () => iterator };
        })();
        const opening = first.done ? undefined : (row.openingOf(first.value as never) as Request | undefined);
        return opening?.requestId && targets.length
          ? locked(row.name, opening.requestId, targets, call, () => fresh(replay, targets, call))
          : plain(replay, targets, call);
      };
    }
  }
  return wrapped as LocationHandlers;
}
