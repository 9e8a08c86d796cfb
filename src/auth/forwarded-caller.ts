// The caller's identity as one node forwards it to the next (oaktree.mesh.v1.ForwardedCaller), and back. Only
// names travel: the token or secret the caller proved itself with stays on the node that checked it.
import type { ForwardedCaller, ForwardedPrincipal } from '../gen/oaktree/mesh/v1/routing.ts';
import type { AuthMethodName, Identity, IdentityPrincipal } from './identity.ts';
import { unauthenticated } from './errors.ts';

const METHODS: readonly string[] = ['keystone', 'jwt', 'static-token', 'certificate'] satisfies AuthMethodName[];

export function toForwardedCaller(identity: Identity): ForwardedCaller {
  return {
    method: identity.method,
    subject: identity.subject,
    user: identity.user && toPrincipal(identity.user),
    project: identity.project && toPrincipal(identity.project),
    roles: [...identity.roles],
    groups: [...identity.groups],
    tokenName: identity.tokenName ?? '',
    certificate: identity.certificate && { cn: identity.certificate.cn ?? '', sans: [...identity.certificate.sans] },
  };
}

/** The identity a trusted peer vouches for; `peer` is the peer's own subject, kept for the audit line. */
export function fromForwardedCaller(caller: ForwardedCaller, peer: string): Identity {
  if (!METHODS.includes(caller.method) || !caller.subject) {
    throw unauthenticated(`peer ${peer} forwarded a caller without a known method and subject`);
  }
  return {
    method: caller.method as AuthMethodName,
    subject: caller.subject,
    user: caller.user && fromPrincipal(caller.user),
    project: caller.project && fromPrincipal(caller.project),
    roles: caller.roles,
    groups: caller.groups,
    tokenName: caller.tokenName || undefined,
    certificate: caller.certificate && { cn: caller.certificate.cn || undefined, sans: caller.certificate.sans },
    forwardedBy: peer,
  };
}

function toPrincipal(p: IdentityPrincipal): ForwardedPrincipal {
  return { id: p.id ?? '', name: p.name ?? '', domainId: p.domainId ?? '', domainName: p.domainName ?? '' };
}

function fromPrincipal(p: ForwardedPrincipal): IdentityPrincipal {
  return {
    id: p.id || undefined,
    name: p.name || undefined,
    domainId: p.domainId || undefined,
    domainName: p.domainName || undefined,
  };
}
