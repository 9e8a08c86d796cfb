// Every error a handler throws leaves the node as a gRPC status with the code it carries: nice-grpc only
// understands ServerError (anything else would reach the client as UNKNOWN). Messages are bounded: one client's
// oversized input echoed into a status must not exceed what the next hop's client accepts.
import { ServerError, type CallContext, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc';
import { isAbortError } from 'abort-controller-x';
import { toServerError } from '../core/errors.ts';
import { bounded } from '../core/bounded-text.ts';

export function errorStatusMiddleware(): ServerMiddleware {
  return async function* toGrpcStatus<Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ) {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      if (isAbortError(error)) throw error;
      const status = toServerError(error, context.signal);
      const details = bounded(status.details);
      throw details === status.details ? status : new ServerError(status.code, details);
    }
  };
}
