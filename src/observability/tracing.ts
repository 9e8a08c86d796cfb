// A node's tracing (OpenTelemetry): its own tracer provider (two nodes in one process export apart), OTLP/HTTP
// export to the configured endpoint through a batch processor, W3C `traceparent` in and out. Export runs in
// the background with a bounded queue: an endpoint that is down or slow drops spans, never delays a call.
import { context, type Span, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { enableContextPropagation, withContext } from './context.ts';

export { activeTraceId, extractTraceContext, injectTraceContext } from './trace-context.ts';

export interface TracingOptions {
  nodeId: string;
  /** OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces. */
  otlpEndpoint?: string;
  serviceName?: string;
  /** Instead of OTLP (tests). */
  exporter?: SpanExporter;
}

/** Spans of one node: its tracer, and the helpers that run work inside a span. */
export class NodeTracing {
  readonly tracer: Tracer;
  readonly #provider: BasicTracerProvider;

  constructor(options: TracingOptions) {
    enableContextPropagation();
    const exporter =
      options.exporter ??
      new OTLPTraceExporter({ url: options.otlpEndpoint, timeoutMillis: 5000, concurrencyLimit: 2 });
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'service.name': options.serviceName ?? 'oaktree',
        'service.instance.id': options.nodeId,
      }),
      spanProcessors: [
        new BatchSpanProcessor(exporter, { maxQueueSize: 4096, scheduledDelayMillis: 500, exportTimeoutMillis: 5000 }),
      ],
    });
    this.tracer = this.#provider.getTracer('oaktree');
  }

  /** Runs `call` inside a new span that ends when it settles. */
  async promise<T>(name: string, attributes: Attributes, call: () => Promise<T>, kind = SpanKind.INTERNAL): Promise<T> {
    const span = this.tracer.startSpan(name, { kind, attributes });
    try {
      return await context.with(trace.setSpan(context.active(), span), call);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** Runs every step of a stream inside a new span that ends with the stream. */
  async *stream<T>(name: string, attributes: Attributes, call: () => AsyncIterable<T>): AsyncGenerator<T> {
    const span = this.tracer.startSpan(name, { attributes });
    const ctx = trace.setSpan(context.active(), span);
    try {
      yield* withContext(ctx, context.with(ctx, call));
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** Sends what is queued and stops. */
  async shutdown(): Promise<void> {
    await this.#provider.shutdown().catch(() => {});
  }

  /** Sends what is queued now (tests). */
  async flush(): Promise<void> {
    await this.#provider.forceFlush().catch(() => {});
  }
}

export function failed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message.slice(0, 200) : '' });
}
