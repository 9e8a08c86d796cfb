// The two answers an authentication step gives besides an identity. Messages name the failed check, never a secret.
import { ServerError, Status } from 'nice-grpc';

export function unauthenticated(message: string): ServerError {
  return new ServerError(Status.UNAUTHENTICATED, message);
}

export function permissionDenied(message: string): ServerError {
  return new ServerError(Status.PERMISSION_DENIED, message);
}
