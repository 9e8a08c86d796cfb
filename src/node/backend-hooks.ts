// What a node wraps around every call its router makes to a backend: the end of its calls when a reload removes
// it, the in-flight gauge, a span per backend ("backend cloud:NAME" for a cloud, "hop peer:ADDRESS" for a peer
// node) and a span for the routing decision.
import type { Backend } from '../backends/backend.ts';
import type { BackendCallHooks, Selection } from '../mesh/router.ts';
import type { NodeMetrics } from '../observability/metrics.ts';
import type { NodeTracing } from '../observability/tracing.ts';
import type { BackendRemovals } from './backend-removal.ts';

export function backendCallHooks(
  removals: BackendRemovals,
  metrics?: NodeMetrics,
  tracing?: NodeTracing,
): BackendCallHooks {
  const spanName = (backend: Backend) => `${backend.local ? 'backend' : 'hop'} ${backend.id}`;
  const attributes = (backend: Backend) => ({ 'oaktree.backend': backend.id });
  const counted = async <T>(backend: Backend, call: () => Promise<T>): Promise<T> => {
    metrics?.backendInFlight.inc({ backend: backend.id });
    try {
      return await call();
    } finally {
      metrics?.backendInFlight.dec({ backend: backend.id });
    }
  };
  async function* countedStream<T>(backend: Backend, call: () => AsyncIterable<T>): AsyncGenerator<T> {
    metrics?.backendInFlight.inc({ backend: backend.id });
    try {
      yield* call();
    } finally {
      metrics?.backendInFlight.dec({ backend: backend.id });
    }
  }
  return {
    promise: (backend, call) => {
      const traced = tracing ? () => tracing.promise(spanName(backend), attributes(backend), call) : call;
      return removals.promise(backend, counted(backend, traced));
    },
    stream: (backend, call) => {
      const traced = tracing ? () => tracing.stream(spanName(backend), attributes(backend), call) : call;
      return removals.stream(backend, countedStream(backend, traced));
    },
    routed: tracing
      ? (selections: readonly Selection[]) =>
          tracing.tracer
            .startSpan('route', {
              attributes: {
                'oaktree.backends': selections.length,
                'oaktree.locations': selections.reduce((n, s) => n + s.targets.length, 0),
              },
            })
            .end()
      : undefined,
  };
}
