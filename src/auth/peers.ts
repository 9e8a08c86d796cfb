// Trusted peers: the nodes whose routing metadata (node path, assigned locations, forwarded caller) this node
// honors. A peer is named by its client certificate, the one thing a handshake proves:
//
//   auth:
//     peers:
//       - spiffe://oaktree/hub        # a URI SAN (written with or without "URI:")
//       - DNS:edge-1.example          # a DNS SAN (with or without "DNS:")
//       - CN=edge-2                   # the subject's common name
//
// Any other caller that sends routing metadata is refused: it could otherwise claim to be someone else.
import { certificateNames } from './identity.ts';

export const ROUTING_FROM_NON_PEER = 'routing metadata is accepted only from configured peers';

/** Why a peers entry is unusable, or undefined. */
export function peerNameProblem(name: string): string | undefined {
  if (/\s/.test(name))
    return `"${name}" holds white space; name a certificate by a SAN (spiffe://..., DNS:host) or CN=name`;
  if (/^(URI|DNS|CN=?|IP|email):?$/i.test(name))
    return `"${name}" names no certificate; give the value too, e.g. DNS:edge.example`;
  return undefined;
}

export class TrustedPeers {
  readonly #names: ReadonlySet<string>;

  constructor(names: readonly string[]) {
    this.#names = new Set(names);
  }

  get size(): number {
    return this.#names.size;
  }

  /** Whether a verified client certificate belongs to a configured peer. */
  includes(cert: { cn?: string; sans: string[] } | undefined): boolean {
    return !!cert && certificateNames(cert).some((name) => this.#names.has(name));
  }
}
