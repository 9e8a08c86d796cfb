// A computed message (limits, capabilities) is checked against its wire format before it leaves the handler: a value
// the proto cannot carry then fails only its own location, in-band, instead of the whole call at serialization.
import { Status } from 'nice-grpc-common';
import { OaktreeError } from '../../core/errors.ts';

interface Encoder<T> {
  encode(message: T): { finish(): Uint8Array };
}

/** `message` itself, or an error for its location when it cannot be encoded as `type`. */
export function encodable<T>(type: Encoder<T>, message: T, what: string): T {
  try {
    type.encode(message).finish();
    return message;
  } catch (error) {
    throw new OaktreeError(Status.INTERNAL, `the cloud's ${what} could not be encoded: ${(error as Error).message}`);
  }
}
