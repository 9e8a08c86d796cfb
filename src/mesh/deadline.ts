// Deadlines across fan-out and hops. Each backend gets a little less time than the caller, so a slow backend
// becomes a DEADLINE_EXCEEDED item for its own locations while the call still ends in time with the others.
import { setMaxListeners } from 'node:events';
import type { CallContext } from '../core/call-context.ts';

const MIN_MARGIN_MS = 25;
const MAX_MARGIN_MS = 1000;

/** The deadline to give a backend: the caller's, less a margin of 10 % of the time left (25 ms to 1 s). */
export function backendDeadline(deadline: Date | undefined, now = Date.now()): Date | undefined {
  if (!deadline) return undefined;
  const left = deadline.getTime() - now;
  const margin = Math.min(MAX_MARGIN_MS, Math.max(MIN_MARGIN_MS, left * 0.1));
  return new Date(deadline.getTime() - Math.min(margin, Math.max(0, left / 2)));
}

/** A context whose signal also fires at `deadline`; `expired()` tells whether that is why it fired. */
export function withDeadline(
  ctx: CallContext,
  deadline: Date | undefined,
): { ctx: CallContext; dispose: () => void; expired: () => boolean } {
  if (!deadline) return { ctx, dispose: () => {}, expired: () => false };
  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // a backend with many regions listens once per region
  let timedOut = false;
  const onAbort = () => controller.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () => {
      timedOut = true;
      controller.abort(new DOMException('the deadline passed', 'TimeoutError'));
    },
    Math.max(0, deadline.getTime() - Date.now()),
  );
  return {
    ctx: { ...ctx, signal: controller.signal, deadline },
    dispose: () => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    },
    expired: () => timedOut,
  };
}
