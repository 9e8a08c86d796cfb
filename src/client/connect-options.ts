// How to reach a node: plaintext by default (a local node), TLS when asked, when a CA or client certificate is
// given, or when the address says https://. Options left out come from OAKTREE_* environment variables.
import { readFileSync } from 'node:fs';
import { ChannelCredentials, type ChannelOptions } from 'nice-grpc';

export interface TlsOptions {
  /** PEM CA certificates to trust instead of the system's. */
  rootCerts?: Buffer | string;
  /** PEM client key and certificate, for mutual TLS. */
  privateKey?: Buffer | string;
  certChain?: Buffer | string;
}

export interface ConnectOptions {
  /** Use TLS (true: with the system's CAs). An https:// address implies it. */
  tls?: boolean | TlsOptions;
  /** CA to trust (a PEM file path or PEM text; env OAKTREE_CA): implies TLS. */
  ca?: string;
  /** Client certificate and key for mTLS (PEM file paths or PEM text; env OAKTREE_CERT, OAKTREE_KEY). */
  cert?: string;
  key?: string;
  /** The name the node's certificate must carry when the address's host is not in it (env OAKTREE_SERVER_NAME). */
  serverName?: string;
  /** A bearer token sent as `authorization: Bearer <token>` with every call (env OAKTREE_TOKEN). */
  token?: string;
  /** Full control: credentials made with ChannelCredentials (overrides `tls`, `ca`, `cert`, `key`). */
  credentials?: ChannelCredentials;
  /** The timeout of every call that does not set its own `timeoutMs`; none by default. */
  timeoutMs?: number;
  /** grpc-js channel options (keepalive, message sizes ...). */
  channelOptions?: ChannelOptions;
}

export const DEFAULT_ENDPOINT = '127.0.0.1:50051';

/** The options with what the caller left out taken from OAKTREE_* variables. */
export function withEnvironment(
  options: ConnectOptions,
  env: Record<string, string | undefined> = process.env,
): ConnectOptions {
  const pick = (value: string | undefined, name: string) => value ?? (env[name] || undefined);
  return {
    ...options,
    ca: pick(options.ca, 'OAKTREE_CA'),
    cert: pick(options.cert, 'OAKTREE_CERT'),
    key: pick(options.key, 'OAKTREE_KEY'),
    serverName: pick(options.serverName, 'OAKTREE_SERVER_NAME'),
    token: pick(options.token, 'OAKTREE_TOKEN'),
  };
}

const asBuffer = (value: Buffer | string | undefined) => (typeof value === 'string' ? Buffer.from(value) : value);

/** PEM text as is, anything else is a file to read. */
function pem(value: string | undefined, what: string): Buffer | undefined {
  if (value === undefined) return undefined;
  if (value.includes('-----BEGIN ')) return Buffer.from(value);
  try {
    return readFileSync(value);
  } catch (error) {
    throw new Error(
      `cannot read the TLS ${what} ${value}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

export function channelCredentials(address: string, options: ConnectOptions): ChannelCredentials | undefined {
  if (options.credentials) return options.credentials;
  if (!options.cert !== !options.key) throw new Error('cert and key go together: a client certificate needs its key');
  const files = options.ca || options.cert;
  const tls = options.tls ?? (files || address.startsWith('https://') ? {} : false);
  if (!tls) return address.startsWith('http://') ? undefined : ChannelCredentials.createInsecure();
  const config = tls === true ? {} : tls;
  return ChannelCredentials.createSsl(
    asBuffer(config.rootCerts) ?? pem(options.ca, 'CA') ?? null,
    asBuffer(config.privateKey) ?? pem(options.key, 'key') ?? null,
    asBuffer(config.certChain) ?? pem(options.cert, 'certificate') ?? null,
  );
}

/** Channel options the TLS settings need (the server name to verify). */
export function tlsChannelOptions(options: ConnectOptions): ChannelOptions {
  return options.serverName ? { 'grpc.ssl_target_name_override': options.serverName } : {};
}
