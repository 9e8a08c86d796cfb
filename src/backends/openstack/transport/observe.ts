// One HTTP attempt to a cloud, inside the node's limits and under its metrics: wait for the cloud-region's turn,
// send, report the status (0 when no answer came) and the time, and slow the pace down on a 429.
import type { UpstreamObserver } from '../../../observability/metrics.ts';
import type { HttpResponse } from './http.ts';
import type { CloudLimiter } from './limits.ts';

export interface AttemptLabels {
  cloud: string;
  region: string;
  service: string;
  method: string;
}

export async function observeAttempt(
  labels: AttemptLabels,
  limiter: CloudLimiter | undefined,
  observer: UpstreamObserver | undefined,
  signal: AbortSignal | undefined,
  deadline: number | undefined,
  send: () => Promise<HttpResponse>,
): Promise<HttpResponse> {
  const release = limiter ? await limiter.acquire(labels.region, signal, deadline) : undefined;
  const started = performance.now();
  let status = 0;
  try {
    const response = await send();
    status = response.status;
    if (status === 429) limiter?.throttled(labels.region);
    return response;
  } finally {
    release?.();
    observer?.request({ ...labels, status, seconds: (performance.now() - started) / 1000 });
  }
}
