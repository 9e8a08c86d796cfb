// One SERVER span per gRPC call a node serves, named by the method, child of the caller's W3C `traceparent` when
// it sends one (a client, or the peer node a hop came from). Every step of the call runs inside it, so the log
// lines, routing, backend, hop and upstream HTTP spans of the call belong to the same trace.
import { isAbortError } from 'abort-controller-x';
import { ServerError, type CallContext, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { withContext } from './context.ts';
import { extractTraceContext } from './trace-context.ts';
import type { NodeTracing } from './tracing.ts';

export function rpcTracingMiddleware(tracing: NodeTracing, nodeId: string): ServerMiddleware {
  return async function* traceCalls<Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ) {
    const parent = extractTraceContext((key) => {
      const value = context.metadata.get(key);
      return typeof value === 'string' ? value : undefined;
    });
    const name = call.method.path.replace(/^\//, '');
    const [service, method] = name.split('/');
    const span = tracing.tracer.startSpan(
      name,
      {
        kind: SpanKind.SERVER,
        attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method, 'oaktree.node': nodeId },
      },
      parent,
    );
    let code: Status = Status.OK;
    try {
      const inner = call.next(call.request, context) as AsyncGenerator<Response, Response | undefined>;
      return yield* withContext(trace.setSpan(parent, span), inner);
    } catch (error) {
      code = error instanceof ServerError ? error.code : isAbortError(error) ? Status.CANCELLED : Status.UNKNOWN;
      throw error;
    } finally {
      span.setAttribute('rpc.grpc.status_code', code);
      if (code !== Status.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: Status[code] });
      span.end();
    }
  };
}
