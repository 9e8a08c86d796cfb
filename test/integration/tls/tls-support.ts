// Shared pieces of the TLS tests: a throwaway PKI, TLS channels, and what certificate a listening node presents.
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { ChannelCredentials, type ClientError, createChannel, createClient, type Channel } from 'nice-grpc';
import { LocationServiceDefinition } from '../../../src/gen/oaktree/v1/location.ts';
import type { IssuedCert } from '../../../src/node/pki.ts';

export interface DialTls {
  ca?: string;
  client?: IssuedCert;
  serverName?: string;
}

export function tlsChannel(address: string, dial: DialTls): Channel {
  const credentials = ChannelCredentials.createSsl(
    dial.ca ? readFileSync(dial.ca) : null,
    dial.client ? readFileSync(dial.client.key) : null,
    dial.client ? readFileSync(dial.client.cert) : null,
  );
  return createChannel(
    address,
    credentials,
    dial.serverName ? { 'grpc.ssl_target_name_override': dial.serverName } : {},
  );
}

/** One ListLocations call; resolves with the count or the ClientError and how long it took. */
export async function tryListLocations(channel: Channel): Promise<{ count?: number; error?: ClientError; ms: number }> {
  const started = Date.now();
  const client = createClient(LocationServiceDefinition, channel);
  try {
    let count = 0;
    for await (const _ of client.listLocations({}, { signal: AbortSignal.timeout(20_000) })) count++;
    return { count, ms: Date.now() - started };
  } catch (error) {
    return { error: error as ClientError, ms: Date.now() - started };
  } finally {
    channel.close();
  }
}

/** The fingerprint of the certificate a TLS port presents to a new connection. */
export function servedFingerprint(port: number, ca: string, client?: IssuedCert): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      ca: readFileSync(ca),
      ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}),
      servername: 'localhost',
      ALPNProtocols: ['h2'],
    });
    socket.once('secureConnect', () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}
