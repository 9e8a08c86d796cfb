// One HTTP attempt to a cloud, inside the node's limits, metrics and traces: wait for the cloud-region's turn,
// send in a CLIENT span, report the status (0 when no answer came) and the time, and slow the pace on a 429.
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { UpstreamObserver } from '../../../observability/metrics.ts';
import type { HttpResponse } from './http.ts';
import type { CloudLimiter } from './limits.ts';

export interface AttemptLabels {
  cloud: string;
  region: string;
  service: string;
  method: string;
}

export interface AttemptWatchers {
  limiter?: CloudLimiter;
  observer?: UpstreamObserver;
  tracer?: Tracer;
  signal?: AbortSignal;
  deadline?: number;
}

export async function observeAttempt(
  labels: AttemptLabels,
  { limiter, observer, tracer, signal, deadline }: AttemptWatchers,
  send: () => Promise<HttpResponse>,
): Promise<HttpResponse> {
  const release = limiter ? await limiter.acquire(labels.region, signal, deadline) : undefined;
  const span = tracer?.startSpan(`${labels.method} ${labels.service}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': labels.method,
      'oaktree.cloud': labels.cloud,
      'oaktree.region': labels.region,
      'oaktree.service': labels.service,
    },
  });
  const started = performance.now();
  let status = 0;
  try {
    const response = await send();
    status = response.status;
    if (status === 429) limiter?.throttled(labels.region);
    return response;
  } finally {
    span?.setAttribute('http.response.status_code', status);
    if (status === 0 || status >= 500) span?.setStatus({ code: SpanStatusCode.ERROR });
    span?.end();
    release?.();
    observer?.request({ ...labels, status, seconds: (performance.now() - started) / 1000 });
  }
}
