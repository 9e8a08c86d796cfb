// Graceful shutdown for calls: when the node stops, server streams (watches, waits, health watches, lists) end at
// once with UNAVAILABLE and a message telling the client to retry or resume; unary calls are left to finish
// within the node's grace period.
import { ServerError, type CallContext, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { isAbortError } from 'abort-controller-x';

export function shutdownMiddleware(shutdown: AbortSignal): ServerMiddleware {
  return async function* endOnShutdown<Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ) {
    if (!call.responseStream) return yield* call.next(call.request, context);
    const controller = new AbortController();
    const abort = () => controller.abort();
    context.signal.addEventListener('abort', abort, { once: true });
    shutdown.addEventListener('abort', abort, { once: true });
    if (shutdown.aborted || context.signal.aborted) abort();
    try {
      return yield* call.next(call.request, { ...context, signal: controller.signal });
    } catch (error) {
      if (shutdown.aborted && !context.signal.aborted && isAbortError(error)) {
        throw new ServerError(
          Status.UNAVAILABLE,
          'this oaktree node is shutting down; retry (a watch resumes from its last token)',
        );
      }
      throw error;
    } finally {
      context.signal.removeEventListener('abort', abort);
      shutdown.removeEventListener('abort', abort);
    }
  };
}
