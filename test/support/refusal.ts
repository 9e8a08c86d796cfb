// The gRPC error of a call that must be refused.
import assert from 'node:assert/strict';
import type { ServerError } from 'nice-grpc';

/** The call's gRPC error; fails the test when the call succeeds. */
export async function refusal(call: Promise<unknown>): Promise<ServerError> {
  try {
    await call;
  } catch (error) {
    return error as ServerError;
  }
  assert.fail('the call succeeded where it should have been refused');
}
