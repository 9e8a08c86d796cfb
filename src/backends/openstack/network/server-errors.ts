// Turns every error a handler throws into a nice-grpc ServerError with its gRPC code. Unary and streaming calls
// reach the client through nice-grpc, which answers UNKNOWN for anything that is not a ServerError (the router
// passes unary errors through as they are), so an OaktreeError or a transport error would lose its code.
import { toServerError } from '../../../api/errors.ts';
import type { LocationHandlers } from '../../handler-backend.ts';
import { withGrpcCode } from '../region.ts';

const convert = (error: unknown) => toServerError(withGrpcCode(error));

export function withServerErrors(handlers: LocationHandlers): LocationHandlers {
  const wrapped: Record<string, unknown> = {};
  for (const [key, handler] of Object.entries(handlers)) {
    if (typeof handler !== 'function') continue;
    wrapped[key] = (...args: unknown[]) => {
      let result: unknown;
      try {
        result = (handler as (...a: unknown[]) => unknown)(...args);
      } catch (error) {
        throw convert(error);
      }
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        return (result as Promise<unknown>).catch((error) => {
          throw convert(error);
        });
      }
      if (result && Symbol.asyncIterator in (result as object)) return converted(result as AsyncIterable<unknown>);
      return result;
    };
  }
  return wrapped as LocationHandlers;
}

async function* converted<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (error) {
    throw convert(error);
  }
}
