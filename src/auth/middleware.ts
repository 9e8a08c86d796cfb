// The server middleware that authenticates every call (health checks and reflection excepted) and hands the
// handlers `context.auth = { identity, authorization }`. Missing or invalid credentials end the call with
// UNAUTHENTICATED before any handler runs; the failure is logged, rate-limited per source, without the credential.
// A call with routing metadata must come from a configured peer (PERMISSION_DENIED otherwise); its caller is the
// one the peer forwarded, or the peer itself (route refresh), and this node's own policy decides what it may do.
import { ServerError, Status, type CallContext, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc';
import type { Logger } from 'pino';
import type { Authenticator } from './authenticator.ts';
import { FailedAuthLog } from './failed-auth-log.ts';
import { ROUTING_HEADER } from '../core/call-context.ts';
import { decodeRoutingHeader } from '../core/routing-header.ts';
import { permissionDenied } from './errors.ts';
import { fromForwardedCaller } from './forwarded-caller.ts';
import { identityFromCertificate, parsePeerCertHeader, PEER_CERT_HEADER, type Identity } from './identity.ts';
import { ROUTING_FROM_NON_PEER, TrustedPeers } from './peers.ts';
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
  /** The nodes whose routing metadata is honored; default none. */
  peers?: TrustedPeers;
}

export function authMiddleware(opts: AuthMiddlewareOptions): ServerMiddleware<AuthCallContextExt> {
  const failures = opts.failedAuthLog ?? new FailedAuthLog(opts.logger);
  const peers = opts.peers ?? new TrustedPeers([]);
  return async function* authenticate<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, AuthCallContextExt>,
    context: CallContext,
  ) {
    if (isExemptFromAuth(call.method.path)) return yield* call.next(call.request, context);
    let identity: Identity;
    try {
      identity = context.metadata.has(ROUTING_HEADER)
        ? peerCall(context.metadata, peers)
        : await opts.authenticator.authenticate(context.metadata, context.signal);
    } catch (error) {
      const refused =
        error instanceof ServerError &&
        (error.code === Status.UNAUTHENTICATED || error.code === Status.PERMISSION_DENIED);
      if (refused) failures.record(context.peer, call.method.path, error.details);
      throw error;
    }
    const auth: CallAuth = { identity, authorization: opts.policy.authorize(identity) };
    return yield* call.next(call.request, { ...context, auth });
  };
}

/** The caller of a call that carries routing metadata: only a configured peer may send it. */
function peerCall(metadata: CallContext['metadata'], peers: TrustedPeers): Identity {
  const certificate = parsePeerCertHeader(metadata.get(PEER_CERT_HEADER));
  if (!certificate || !peers.includes(certificate)) throw permissionDenied(ROUTING_FROM_NON_PEER);
  const peer = identityFromCertificate(certificate);
  const { caller } = decodeRoutingHeader(metadata.getAll(ROUTING_HEADER));
  return caller ? fromForwardedCaller(caller, peer.subject) : peer;
}
