// One log line per call: method, status code, duration, and the peer path when the call came through the mesh.
// The message is bounded: it may echo the caller's input, and a 1 MB request must not make a 2 MB log line.
import { ServerError, type CallContext, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { isAbortError } from 'abort-controller-x';
import type { Logger } from '../observability/logger.ts';
import { ROUTING_HEADER } from '../core/call-context.ts';
import { viaForLog } from '../core/routing-header.ts';
import { bounded } from '../core/bounded-text.ts';
import { messageCount } from '../core/response-batch.ts';

export function loggingMiddleware(logger: Logger): ServerMiddleware {
  return async function* logCalls<Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ) {
    const started = performance.now();
    const via = viaForLog(context.metadata.getAll(ROUTING_HEADER));
    let code: Status = Status.OK;
    let message: string | undefined;
    let items = 0;
    try {
      const result = call.next(call.request, context);
      if (call.responseStream) {
        for await (const response of result as AsyncIterable<Response>) {
          items += messageCount(response);
          yield response;
        }
        return;
      }
      return yield* result;
    } catch (error) {
      if (error instanceof ServerError) {
        code = error.code;
        message = error.details;
      } else if (isAbortError(error)) {
        code = Status.CANCELLED;
      } else {
        code = Status.UNKNOWN;
        message = error instanceof Error ? error.message : String(error);
      }
      throw error;
    } finally {
      if (context.signal.aborted && code === Status.OK) code = Status.CANCELLED;
      const line = {
        method: call.method.path,
        code: Status[code],
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...(call.responseStream ? { items } : {}),
        ...(via ? { via } : {}),
        ...(message ? { message: bounded(message) } : {}),
      };
      if (code === Status.OK || code === Status.CANCELLED || code === Status.NOT_FOUND) logger.info(line, 'call');
      else logger.warn(line, 'call');
    }
  };
}
