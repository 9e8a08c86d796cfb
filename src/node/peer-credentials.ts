// How this node dials a peer: plaintext, or TLS with the configured CA, client certificate (mTLS) and server name.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { NodeConfigError, type PeerConfig } from './config.ts';

export interface PeerDial {
  credentials: grpc.ChannelCredentials;
  channelOptions: grpc.ChannelOptions;
}

function readPem(file: string, what: string, peer: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new NodeConfigError(
      `peer ${peer}: cannot read the TLS ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

export function peerDial(peer: PeerConfig): PeerDial {
  const tls = peer.tls;
  if (!tls) return { credentials: grpc.credentials.createInsecure(), channelOptions: {} };
  const credentials = grpc.credentials.createSsl(
    tls.ca ? readPem(tls.ca, 'CA', peer.address) : null,
    tls.key ? readPem(tls.key, 'key', peer.address) : null,
    tls.cert ? readPem(tls.cert, 'certificate', peer.address) : null,
  );
  // The name checked against the peer's certificate (and sent as SNI) when the address's host is not in it.
  const channelOptions: grpc.ChannelOptions = tls.serverName ? { 'grpc.ssl_target_name_override': tls.serverName } : {};
  return { credentials, channelOptions };
}
