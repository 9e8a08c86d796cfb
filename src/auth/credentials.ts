// What a caller presents, read from gRPC metadata.
//
// `x-auth-token: <token>` is what OpenStack clients send: always a Keystone token.
// `authorization: Bearer <token>` is told apart by its form:
//   - `oaktree_...`                        a static API token (`oaktree token create` makes them with this prefix);
//   - three base64url segments `a.b.c`      a JWT (a Keystone fernet token is one base64url string without dots);
//   - anything else                         a Keystone token.
// A verified client certificate comes from the node's own TLS interceptor (PEER_CERT_HEADER), never from the wire.
import type { Metadata } from 'nice-grpc-common';
import { parsePeerCertHeader, PEER_CERT_HEADER } from './identity.ts';

export const STATIC_TOKEN_PREFIX = 'oaktree_';

const JWT_FORM = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export type Credential =
  | { kind: 'static-token'; token: string }
  | { kind: 'jwt'; token: string }
  | { kind: 'keystone'; token: string };

export interface PresentedCredentials {
  /** The token the caller sent, if any; `authorization` wins over `x-auth-token`. */
  token?: Credential;
  certificate?: { cn?: string; sans: string[] };
  /** Set when a header was there but unusable (e.g. `authorization: Basic ...`). */
  malformed?: string;
}

export function classifyBearer(token: string): Credential {
  if (token.startsWith(STATIC_TOKEN_PREFIX)) return { kind: 'static-token', token };
  if (JWT_FORM.test(token)) return { kind: 'jwt', token };
  return { kind: 'keystone', token };
}

export function readCredentials(metadata: Metadata): PresentedCredentials {
  const out: PresentedCredentials = { certificate: parsePeerCertHeader(metadata.get(PEER_CERT_HEADER)) };
  const authorization = metadata.get('authorization');
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) out.token = classifyBearer(match[1]);
    else out.malformed = 'the authorization header must be "Bearer <token>"';
    return out;
  }
  const keystone = metadata.get('x-auth-token')?.trim();
  if (keystone) out.token = { kind: 'keystone', token: keystone };
  return out;
}
