// Every error a handler throws leaves the node as a gRPC status with the code it carries: nice-grpc only
// understands ServerError (anything else would reach the client as UNKNOWN).
import { ServerError, type CallContext, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc';
import { isAbortError } from 'abort-controller-x';
import { toServerError } from '../core/errors.ts';

export function errorStatusMiddleware(): ServerMiddleware {
  return async function* toGrpcStatus<Request, Response>(call: ServerMiddlewareCall<Request, Response>, context: CallContext) {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      if (error instanceof ServerError || isAbortError(error)) throw error;
      throw toServerError(error, context.signal);
    }
  };
}
