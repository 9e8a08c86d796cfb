// request_id under concurrency: a client that retries while its first call still runs sends the same request_id
// twice at once, and two lookups that both find nothing make two objects. Every RPC the method table marks as
// taking a request_id therefore runs one at a time per RPC, credential and request_id (the node's RequestLocks,
// shared through Redis between replicas), so the second call's lookup (tag, metadata or property) finds what the
// first one made. Done here once for every such row, not in each handler. The locked call reads fresh: a kept list
// from before the first call's write would hide its object. A unary call holds the lock to its end; a server stream
// until its first message (its object exists by then; the wait for it to settle runs unlocked).
import { Methods, type MethodKey } from '../../core/methods.ts';
import type { CallContext } from '../backend.ts';
import type { LocationHandlers } from '../handler-backend.ts';
import type { Location } from '../../gen/oaktree/v1/location.ts';
import type { RegionResolver } from './region.ts';

type Request = { requestId?: string };
type Unary = (request: Request, target: Location, call: CallContext) => Promise<unknown>;
type Stream = (request: Request, target: Location, call: CallContext) => AsyncIterable<unknown>;

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
  /** Runs fn holding the lock of this RPC, credential and request_id. */
  const locked = async <T>(
    name: string,
    request: Request,
    target: Location,
    call: CallContext,
    fn: () => Promise<T>,
  ) => {
    const ctx = await resolve(target);
    const key = `${name}:${ctx.credentialKey}:${request.requestId}`;
    return ctx.services.requestLocks.exclusive(key, fn, { signal: call.signal });
  };
  for (const key of Object.keys(handlers) as MethodKey[]) {
    const row = Methods[key];
    if ((row.kind !== 'unary' && row.kind !== 'server-stream') || !row.takesRequestId) continue;
    if (row.kind === 'unary') {
      const plain = handlers[key] as Unary;
      const fresh = freshHandlers[key] as Unary;
      wrapped[key] = (request: Request, target: Location, call: CallContext) =>
        request.requestId
          ? locked(row.name, request, target, call, () => fresh(request, target, call))
          : plain(request, target, call);
      continue;
    }
    const plain = handlers[key] as Stream;
    const fresh = freshHandlers[key] as Stream;
    wrapped[key] = async function* (request: Request, target: Location, call: CallContext) {
      if (!request.requestId) return yield* plain(request, target, call);
      const stream = fresh(request, target, call)[Symbol.asyncIterator]();
      const first = await locked(row.name, request, target, call, () => stream.next());
      if (first.done) return;
      yield first.value;
      yield* { [Symbol.asyncIterator]: () => stream };
    };
  }
  return wrapped as LocationHandlers;
}
