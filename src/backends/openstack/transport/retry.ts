import { delay } from 'abort-controller-x';
import type { HttpResponse } from './http.ts';
import { OpenStackConnectionError } from './errors.ts';

/**
 * When and how long to retry. keystoneauth retries connection errors (connect_retries)
 * and, when asked, status codes (status_code_retries) with 0.5 s doubling up to 60 s;
 * openstacksdk turns that on for 503 and rate limits. oaktree does the same for 429/503,
 * but only for calls that are safe to repeat.
 */
export interface RetryPolicy {
  /** Total attempts including the first (default 4). */
  maxAttempts: number;
  /** First backoff step in ms (default 500); doubles each attempt. */
  baseDelayMs: number;
  /** Ceiling for one backoff step in ms (default 30 000). */
  maxDelayMs: number;
  /** Ceiling for a server's Retry-After in ms (default 60 000). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
});

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** GET/HEAD/OPTIONS/PUT/DELETE are idempotent by HTTP's definition; POST/PATCH only when the caller says so. */
export function isIdempotent(method: string, markedIdempotent?: boolean): boolean {
  if (markedIdempotent !== undefined) return markedIdempotent;
  return SAFE_METHODS.has(method.toUpperCase());
}

/** Statuses that mean "try again later" rather than "you are wrong". */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 503;
}

/** Socket errors where the request never reached the application (or the answer was lost). */
const RETRYABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export function isRetryableErrno(code: string | undefined): boolean {
  return code !== undefined && RETRYABLE_ERRNO.has(code);
}

/** Retry-After is either delta-seconds or an HTTP date; returns ms from `now`, or undefined if absent/garbled. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1). A server's Retry-After wins
 * (capped); otherwise exponential backoff with "equal jitter" so that many callers
 * hitting one rate limit do not come back in lockstep.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export interface RetryInfo {
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface SendWithRetriesOptions {
  idempotent: boolean;
  policy: RetryPolicy;
  signal?: AbortSignal;
  /** Epoch ms after which no retry is scheduled (the caller's deadline). */
  deadline?: number;
  onRetry?: (info: RetryInfo) => void;
  random?: () => number;
}

/**
 * Runs `send` until it yields a response that is not a retryable 429/503, a
 * non-retryable error, or the attempts run out. A retryable answer that cannot be retried
 * (not idempotent, out of attempts, past the deadline) is returned for the caller to turn
 * into an error. Sleeping honours the signal and never runs past the deadline.
 */
export async function sendWithRetries(
  send: () => Promise<HttpResponse>,
  opts: SendWithRetriesOptions,
): Promise<HttpResponse> {
  const { policy } = opts;
  for (let attempt = 1; ; attempt++) {
    let waitMs: number;
    let reason: string;
    let lastError: unknown;
    let response: HttpResponse | undefined;
    try {
      response = await send();
    } catch (err) {
      lastError = err;
    }
    const canRetry = opts.idempotent && attempt < policy.maxAttempts;
    if (response) {
      if (!isRetryableStatus(response.status) || !canRetry) return response;
      waitMs = retryDelayMs(attempt, policy, parseRetryAfter(response.headers['retry-after']), opts.random);
      reason = `HTTP ${response.status}`;
    } else {
      const retryable = lastError instanceof OpenStackConnectionError && isRetryableErrno(lastError.errno);
      if (!retryable || !canRetry) throw lastError;
      waitMs = retryDelayMs(attempt, policy, undefined, opts.random);
      reason = (lastError as OpenStackConnectionError).errno ?? 'connection error';
    }
    if (opts.deadline !== undefined && Date.now() + waitMs >= opts.deadline) {
      if (response) return response;
      throw lastError;
    }
    response?.stream?.destroy();
    opts.onRetry?.({ attempt, delayMs: waitMs, reason });
    await delay(opts.signal ?? new AbortController().signal, waitMs);
  }
}
