// Turning any failure into a gRPC status with a message a user can act on.
import { Status } from 'nice-grpc-common';
import { ServerError } from 'nice-grpc';
import { isAbortError } from 'abort-controller-x';

/** Errors from deeper layers may carry a gRPC code; anything else becomes INTERNAL. */
export interface CodedError extends Error {
  grpcCode: Status;
}

export function isCodedError(error: unknown): error is CodedError {
  return error instanceof Error && typeof (error as Partial<CodedError>).grpcCode === 'number';
}

/** An error that already says which gRPC code it means. */
export class OaktreeError extends Error implements CodedError {
  constructor(
    readonly grpcCode: Status,
    message: string,
  ) {
    super(message);
    this.name = 'OaktreeError';
  }
}

export function statusName(code: number): string {
  return Status[code] ?? `CODE_${code}`;
}

/** The status code and message for any error, as it should reach a client. */
export function toStatus(error: unknown, signal?: AbortSignal): { code: Status; message: string } {
  if (error instanceof ServerError) return { code: error.code, message: error.details };
  if (isCodedError(error)) return { code: error.grpcCode, message: error.message };
  if (isAbortError(error) || (signal?.aborted && error === signal.reason)) {
    const reason = signal?.reason;
    if (reason instanceof ServerError) return { code: reason.code, message: reason.details };
    if (reason instanceof Error && reason.name === 'TimeoutError') {
      return { code: Status.DEADLINE_EXCEEDED, message: 'the deadline passed' };
    }
    return { code: Status.CANCELLED, message: 'the call was cancelled' };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: Status.INTERNAL, message: `internal error: ${message}` };
}

export function toServerError(error: unknown, signal?: AbortSignal): ServerError {
  if (error instanceof ServerError) return error;
  const { code, message } = toStatus(error, signal);
  return new ServerError(code, message);
}
