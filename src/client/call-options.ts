// Cancellation and deadlines for every call: the caller's AbortSignal and a timeout in milliseconds, combined
// into the one signal nice-grpc takes. nice-grpc cancels the call when it fires; we remember why.
import type { AbortCause } from './errors.ts';

export interface CallOptions {
  /** Cancels the call (and, for streams, stops the iteration with a CANCELLED OaktreeError). */
  signal?: AbortSignal;
  /** Fails the call with DEADLINE_EXCEEDED when it has not finished within this many milliseconds. */
  timeoutMs?: number;
}

export interface ActiveCall extends AbortCause {
  signal: AbortSignal;
  /** Stops the timer; call when the call is over. */
  done(): void;
}

export function startCall(options: CallOptions = {}, defaultTimeoutMs?: number): ActiveCall {
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const state: ActiveCall = {
    signal: controller.signal,
    timedOut: false,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    done: () => {},
  };
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) controller.abort(options.signal.reason);
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  if (timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs)) {
    timer = setTimeout(() => {
      state.timedOut = true;
      controller.abort(new DOMException('deadline passed', 'TimeoutError'));
    }, timeoutMs);
  }
  state.done = () => {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  };
  return state;
}
