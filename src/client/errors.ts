// Every failure a client sees, as one typed error: the gRPC code (number and name), the message and, for an
// in-band error of a list, the location that failed.
import { isAbortError } from 'abort-controller-x';
import { ClientError, Status } from 'nice-grpc';
import type { Location, LocationError } from '../gen/oaktree/v1/location.ts';

export { Status };

export function statusName(code: number): string {
  return Status[code] ?? `CODE_${code}`;
}

export class OaktreeError extends Error {
  /** The canonical gRPC status code, e.g. 5. */
  readonly code: Status;
  /** Its name, e.g. "NOT_FOUND". */
  readonly codeName: string;
  /** For an in-band error of a list: the location that failed (the rest of the list still arrived). */
  readonly location?: Location;
  /** The gRPC method, when the error came from a call. */
  readonly method?: string;

  constructor(code: Status, message: string, extra: { location?: Location; method?: string; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'OaktreeError';
    this.code = code;
    this.codeName = statusName(code);
    if (extra.location) this.location = extra.location;
    if (extra.method) this.method = extra.method;
  }

  /** True for an in-band error: one location failed, the others answered. */
  get inBand(): boolean {
    return this.location !== undefined;
  }

  /** "NOT_FOUND: no server named x" (with "[cloud/region]" in front for an in-band error). */
  override toString(): string {
    const where = this.location ? `[${[this.location.cloud, this.location.region].filter(Boolean).join('/')}] ` : '';
    return `${this.codeName}: ${where}${this.message}`;
  }
}

/** An in-band LocationError item of a stream, as an OaktreeError. */
export function fromLocationError(item: LocationError): OaktreeError {
  return new OaktreeError(item.code as Status, item.message, {
    location: item.location ?? { cloud: '', region: '', zone: '', project: undefined },
  });
}

/** Why a call was aborted: by the caller's own signal, or by the deadline oaktree's client set. */
export interface AbortCause {
  timedOut: boolean;
  timeoutMs?: number;
}

/** Any error from a call (ClientError, AbortError, our own) as an OaktreeError. */
export function toOaktreeError(error: unknown, abort?: AbortCause): OaktreeError {
  if (error instanceof OaktreeError) return error;
  if (error instanceof ClientError) {
    return new OaktreeError(error.code, error.details, { method: error.path, cause: error });
  }
  // Our own timer aborts with a TimeoutError reason, which some paths (a stream that already answered) rethrow as is.
  const name = (error as { name?: unknown } | undefined)?.name;
  if (isAbortError(error) || name === 'AbortError' || name === 'TimeoutError') {
    if (abort?.timedOut) {
      return new OaktreeError(Status.DEADLINE_EXCEEDED, `no answer within ${abort.timeoutMs} ms (timeoutMs)`, {
        cause: error,
      });
    }
    return new OaktreeError(Status.CANCELLED, 'the call was cancelled', { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new OaktreeError(Status.UNKNOWN, message, { cause: error });
}
