// The verified client certificate of a call, handed to the middlewares (authentication) in metadata.
// nice-grpc does not expose grpc-js's auth context, so a grpc-js interceptor copies it into an internal header,
// after deleting whatever a client sent under that name: only this node's interceptor may set it.
import type { PeerCertificate as TlsPeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';

/** JSON of PeerCertificate; set only by peerCertInterceptor, never trusted from the wire. */
export const PEER_CERT_HEADER = 'oaktree-internal-peer-cert';

export interface PeerCertificate {
  /** The subject's common name ('' when it has none). */
  cn: string;
  /** subjectAltNames as TYPE:value: DNS:host, IP:127.0.0.1, URI:spiffe://..., email:... */
  sans: string[];
  /** SHA-256 of the DER certificate, AB:CD:... */
  fingerprint256: string;
}

/** Node's subjectAltName text ("DNS:a, IP Address:1.2.3.4", values with commas JSON-quoted) as a list. */
export function parseSubjectAltName(text: string | undefined): string[] {
  if (!text) return [];
  const sans: string[] = [];
  const entry = /([A-Za-z][A-Za-z ]*):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (const match of text.matchAll(entry)) {
    const type = match[1] === 'IP Address' ? 'IP' : match[1];
    const value = match[2].startsWith('"') ? (JSON.parse(match[2]) as string) : match[2];
    sans.push(`${type}:${value}`);
  }
  return sans;
}

export function describePeerCertificate(cert: TlsPeerCertificate): PeerCertificate {
  const cn = cert.subject?.CN as string | string[] | undefined; // an array when the subject has several
  return {
    cn: (Array.isArray(cn) ? cn[0] : cn) ?? '',
    sans: parseSubjectAltName(cert.subjectaltname),
    fingerprint256: cert.fingerprint256,
  };
}

/** Reads the header the interceptor set; undefined for a call without a verified client certificate. */
export function peerCertificateOf(metadata: { get(key: string): unknown }): PeerCertificate | undefined {
  const value = metadata.get(PEER_CERT_HEADER);
  return typeof value === 'string' ? (JSON.parse(value) as PeerCertificate) : undefined;
}

/** Header values must be printable ASCII: anything else in a name is \u-escaped (JSON.parse reads it back). */
const asciiJson = (value: unknown) =>
  JSON.stringify(value).replace(/[^ -~]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * grpc-js reports a peer certificate only when the TLS handshake verified it against the client CA, so an
 * unverified certificate (allowed when client certificates are optional) never gets here.
 */
export const peerCertInterceptor: grpc.ServerInterceptor = (_descriptor, call) =>
  new grpc.ServerInterceptingCall(call, {
    start(next) {
      next(
        new grpc.ServerListenerBuilder()
          .withOnReceiveMetadata((metadata, mdNext) => {
            metadata.remove(PEER_CERT_HEADER);
            const cert = call.getAuthContext()?.sslPeerCertificate;
            if (cert) metadata.set(PEER_CERT_HEADER, asciiJson(describePeerCertificate(cert)));
            mdNext(metadata);
          })
          .build(),
      );
    },
  });
