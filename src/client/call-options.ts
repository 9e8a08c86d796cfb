// Cancellation and deadlines for every call: the caller's AbortSignal and a timeout in milliseconds, combined
// into the one signal nice-grpc takes. nice-grpc cancels the call when it fires; we remember why.
import { Metadata } from 'nice-grpc';
import type { AbortCause } from './errors.ts';

export interface CallOptions {
  /** Cancels the call (and, for streams, stops the iteration with a CANCELLED OaktreeError). */
  signal?: AbortSignal;
  /** Fails the call with DEADLINE_EXCEEDED when it has not finished within this many milliseconds. */
  timeoutMs?: number;
}

/** What nice-grpc takes for one call. */
export interface GrpcCallOptions {
  signal: AbortSignal;
  metadata?: Metadata;
}

export interface ActiveCall extends AbortCause {
  signal: AbortSignal;
  /** The options for the next gRPC call of this call (a watch makes several): signal, and the time left. */
  grpc(): GrpcCallOptions;
  /** Stops the timer; call when the call is over. */
  done(): void;
}

/**
 * The grpc-timeout header for the time left. nice-grpc only cancels on the client side; with the header the node
 * knows the deadline too and hands the time left to every backend and hop (grpc-js reads it as the call's deadline).
 */
export function grpcTimeout(ms: number): string {
  const whole = Math.max(1, Math.ceil(ms));
  return whole < 100_000_000 ? `${whole}m` : `${Math.min(99_999_999, Math.ceil(whole / 1000))}S`;
}

export function startCall(options: CallOptions = {}, defaultTimeoutMs?: number): ActiveCall {
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const state: ActiveCall = {
    signal: controller.signal,
    timedOut: false,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    grpc: () => ({ signal: controller.signal }),
    done: () => {},
  };
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) controller.abort(options.signal.reason);
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  if (timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs)) {
    const deadline = Date.now() + timeoutMs;
    state.grpc = () => ({
      signal: controller.signal,
      metadata: Metadata({ 'grpc-timeout': grpcTimeout(deadline - Date.now()) }),
    });
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
