// Counts every gRPC call a node serves by method and final code, times it, and keeps the number in progress
// (open watch streams and waiters show up there). The method label is the served method's path: grpc-js answers
// unknown methods before any middleware runs, so the label set is bounded by the services the node offers.
import { isAbortError } from 'abort-controller-x';
import { ServerError, type CallContext, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import type { NodeMetrics } from './metrics.ts';

export function rpcMetricsMiddleware(metrics: NodeMetrics): ServerMiddleware {
  return async function* measureCalls<Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ) {
    const method = call.method.path;
    const started = performance.now();
    let code: Status = Status.OK;
    metrics.rpcInFlight.inc({ method });
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      code = error instanceof ServerError ? error.code : isAbortError(error) ? Status.CANCELLED : Status.UNKNOWN;
      throw error;
    } finally {
      if (context.signal.aborted && code === Status.OK) code = Status.CANCELLED;
      const labels = { method, code: Status[code] };
      metrics.rpcInFlight.dec({ method });
      metrics.rpcRequests.inc(labels);
      metrics.rpcDuration.observe(labels, (performance.now() - started) / 1000);
    }
  };
}
