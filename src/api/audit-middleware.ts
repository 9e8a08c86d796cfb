// The audit trail: one line per write RPC on this node (the method table's action 'write'), with the caller, the
// location (the one the write resolved to when it got that far, else the caller's selector), the request_id and
// the status it ended with. Driven by the table, so a new write RPC is audited without a line of its own.
import type { ServerMiddleware, ServerMiddlewareCall } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { audit } from '../auth/audit.ts';
import type { AuthCallContextExt } from '../auth/middleware.ts';
import { toStatus } from '../core/errors.ts';
import { type AnyMethod, Methods } from '../core/methods.ts';
import type { Location, LocationSelector } from '../gen/oaktree/v1/location.ts';
import type { Logger } from '../observability/logger.ts';
import type { OaktreeCallContextExt, OaktreeContext } from './call-context.ts';

const writes = new Map<string, AnyMethod>(
  Object.values(Methods as Record<string, AnyMethod>)
    .filter((m) => m.action === 'write')
    .map((m) => [m.path, m]),
);

interface Described {
  location?: LocationSelector;
  requestId?: string;
}

/** Runs after the routing context middleware: it hooks the call context to learn the resolved location. */
export function auditMiddleware(logger: Logger): ServerMiddleware<object, OaktreeCallContextExt> {
  return async function* auditWrites<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, object>,
    callContext: OaktreeContext,
  ) {
    const context = callContext as OaktreeContext & AuthCallContextExt; // auth is set by the auth middleware before it
    const method = writes.get(call.method.path);
    const identity = context.auth?.identity;
    if (!method) return yield* call.next(call.request, context);
    let described: Described = {};
    let target: Location | undefined;
    let request = call.request;
    if (method.kind === 'client-stream') {
      request = firstSeen(call.request as AsyncIterable<unknown>, (first) => {
        described = (method.openingOf(first) ?? {}) as Described;
      }) as Request;
    } else {
      described = call.request as Described;
    }
    const oaktree = {
      ...context.oaktree,
      call: { ...context.oaktree.call, onResolved: (location: Location) => (target = location) },
    };
    let code: Status = Status.OK;
    try {
      return yield* call.next(request, { ...context, oaktree } as typeof context);
    } catch (error) {
      code = toStatus(error, context.signal).code;
      throw error;
    } finally {
      audit(logger, {
        identity,
        method: method.path,
        location: target ?? described.location,
        requestId: described.requestId || undefined,
        code,
      });
    }
  };
}

/** Passes a client stream on unchanged, telling `see` its first message. */
async function* firstSeen<T>(messages: AsyncIterable<T>, see: (first: T) => void): AsyncGenerator<T> {
  let first = true;
  for await (const message of messages) {
    if (first) see(message);
    first = false;
    yield message;
  }
}
