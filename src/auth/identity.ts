// Who is calling: one shape for every authentication method, so policy and audit never ask how a caller proved it.

export type AuthMethodName = 'keystone' | 'jwt' | 'static-token' | 'certificate';

export interface IdentityPrincipal {
  id?: string;
  name?: string;
  domainId?: string;
  domainName?: string;
}

export interface Identity {
  method: AuthMethodName;
  /** A short, stable description for logs and audit lines; never contains a secret. */
  subject: string;
  user?: IdentityPrincipal;
  project?: IdentityPrincipal;
  roles: string[];
  groups: string[];
  /** The static token's name (static-token method). */
  tokenName?: string;
  certificate?: { cn?: string; sans: string[] };
  /** Set when a trusted peer forwarded this caller: the peer's subject (audit lines name both). */
  forwardedBy?: string;
}

/** The names a certificate answers to in the policy and the peers list: its CN, and each SAN with and without its TYPE: prefix. */
export function certificateNames(cert: { cn?: string; sans: string[] }): string[] {
  return [
    ...(cert.cn ? [cert.cn, `CN=${cert.cn}`] : []),
    ...cert.sans,
    ...cert.sans.map((s) => s.slice(s.indexOf(':') + 1)),
  ];
}

/**
 * Internal metadata set by the node's own TLS interceptor with the verified peer certificate as JSON
 * `{"cn": "...", "sans": ["DNS:a", "URI:spiffe://x"], "fingerprint256": "AB:.."}`. The interceptor deletes any
 * value that arrived over the wire first, so its presence means a handshake verified that certificate.
 */
export const PEER_CERT_HEADER = 'oaktree-internal-peer-cert';

/** The identity a verified client certificate gives: the first URI SAN (SPIFFE style), else the first DNS SAN, else the CN. */
export function identityFromCertificate(cert: { cn?: string; sans?: string[] }): Identity {
  const sans = (cert.sans ?? []).filter((san) => typeof san === 'string' && san !== '');
  const preferred = sans.find((s) => s.startsWith('URI:')) ?? sans.find((s) => s.startsWith('DNS:'));
  const name = preferred ?? (cert.cn ? `CN=${cert.cn}` : undefined);
  if (!name) throw new TypeError('a client certificate without CN or SAN gives no identity');
  return {
    method: 'certificate',
    subject: `certificate ${name}`,
    roles: [],
    groups: [],
    certificate: { cn: cert.cn || undefined, sans },
  };
}

/** Parses the PEER_CERT_HEADER value; undefined when it is absent or not the JSON the interceptor writes. */
export function parsePeerCertHeader(value: string | undefined): { cn?: string; sans: string[] } | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as { cn?: unknown; sans?: unknown };
    const sans = Array.isArray(parsed.sans) ? parsed.sans.filter((s): s is string => typeof s === 'string') : [];
    const cn = typeof parsed.cn === 'string' ? parsed.cn : undefined;
    return { cn, sans };
  } catch {
    return undefined;
  }
}
