// The two answers an authentication step gives besides an identity. Messages name the failed check, never a secret.
import { ServerError, Status } from 'nice-grpc';

export function unauthenticated(message: string): ServerError {
  return new ServerError(Status.UNAUTHENTICATED, message);
}

export function permissionDenied(message: string): ServerError {
  return new ServerError(Status.PERMISSION_DENIED, message);
}

/** A mistake in the auth section, the policy or a tokens file: the node refuses to start and says where. */
export class AuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigError';
  }
}
