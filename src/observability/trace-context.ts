// W3C trace context in and out of header bags (gRPC metadata), and the active trace id for log lines. Light on
// purpose (the API and the propagator only): the logger and the peer backend import it, not the SDK.
import { ROOT_CONTEXT, context, trace, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

const propagator = new W3CTraceContextPropagator();

/** The context a caller's `traceparent` (and `tracestate`) names, from any header bag. */
export function extractTraceContext(get: (key: string) => string | undefined): Context {
  const getter: TextMapGetter<unknown> = { keys: () => ['traceparent', 'tracestate'], get: (_c, key) => get(key) };
  return propagator.extract(ROOT_CONTEXT, undefined, getter); // a call starts its own trace unless told otherwise
}

/** Sets `traceparent` (and `tracestate`) for the active span, e.g. on a call to a peer node. */
export function injectTraceContext(set: (key: string, value: string) => void): void {
  const setter: TextMapSetter<unknown> = { set: (_c, key, value) => set(key, value) };
  propagator.inject(context.active(), undefined, setter);
}

/** The active trace id, for log lines; undefined outside a span. */
export function activeTraceId(): string | undefined {
  const span = trace.getSpan(context.active());
  return span?.spanContext().traceId;
}
