// Caller identity, authorization policy and audit: the surface the node and the router wire in.
export { audit, type AuditEvent } from './audit.ts';
export { Authenticator } from './authenticator.ts';
export { parseAuthSection, type AuthConfig } from './config.ts';
export { classifyBearer, readCredentials, STATIC_TOKEN_PREFIX } from './credentials.ts';
export { FailedAuthLog } from './failed-auth-log.ts';
export { fromForwardedCaller, toForwardedCaller } from './forwarded-caller.ts';
export { identityFromCertificate, PEER_CERT_HEADER, type Identity } from './identity.ts';
export { exchangeCredentialsForToken, KeystoneValidator } from './keystone.ts';
export { authMiddleware, isExemptFromAuth, type AuthCallContextExt, type CallAuth } from './middleware.ts';
export { ROUTING_FROM_NON_PEER, TrustedPeers } from './peers.ts';
export { Authorization, Policy, type Grant } from './policy.ts';
export { createStaticToken, hashToken, StaticTokens } from './static-tokens.ts';
export { AuthConfigError } from './errors.ts';
