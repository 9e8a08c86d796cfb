// The server middleware that authenticates every call (health checks and reflection excepted) and hands the
// handlers `context.auth = { identity, authorization }`. Missing or invalid credentials end the call with
// UNAUTHENTICATED before any handler runs; the failure is logged, rate-limited per source, without the credential.
import { ServerError, Status, type CallContext, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc';
import type { Logger } from 'pino';
import type { Authenticator } from './authenticator.ts';
import { FailedAuthLog } from './failed-auth-log.ts';
import type { Identity } from './identity.ts';
import type { Authorization, Policy } from './policy.ts';

export interface CallAuth {
  identity: Identity;
  authorization: Authorization;
}

/** Absent only on the exempt services, or when the node runs without auth. */
export interface AuthCallContextExt {
  auth?: CallAuth;
}

const EXEMPT_PREFIXES = ['/grpc.health.v1.', '/grpc.reflection.'];

export function isExemptFromAuth(path: string): boolean {
  return EXEMPT_PREFIXES.some((prefix) => path.startsWith(prefix));
}

export interface AuthMiddlewareOptions {
  authenticator: Pick<Authenticator, 'authenticate'>;
  policy: Policy;
  logger: Pick<Logger, 'warn'>;
  /** Override for tests: the failed-authentication log and its clock. */
  failedAuthLog?: FailedAuthLog;
}

export function authMiddleware(opts: AuthMiddlewareOptions): ServerMiddleware<AuthCallContextExt> {
  const failures = opts.failedAuthLog ?? new FailedAuthLog(opts.logger);
  return async function* authenticate<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, AuthCallContextExt>,
    context: CallContext,
  ) {
    if (isExemptFromAuth(call.method.path)) return yield* call.next(call.request, context);
    let identity: Identity;
    try {
      identity = await opts.authenticator.authenticate(context.metadata, context.signal);
    } catch (error) {
      if (error instanceof ServerError && error.code === Status.UNAUTHENTICATED) failures.record(context.peer, call.method.path, error.details);
      throw error;
    }
    const auth: CallAuth = { identity, authorization: opts.policy.authorize(identity) };
    return yield* call.next(call.request, { ...context, auth });
  };
}
