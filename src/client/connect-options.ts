// How to reach a node: plaintext by default (a local node), TLS when asked or when the address says https://.
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
  /** Full control: credentials made with ChannelCredentials (overrides `tls`). */
  credentials?: ChannelCredentials;
  /** The timeout of every call that does not set its own `timeoutMs`; none by default. */
  timeoutMs?: number;
  /** grpc-js channel options (keepalive, message sizes ...). */
  channelOptions?: ChannelOptions;
}

const asBuffer = (value: Buffer | string | undefined) => (typeof value === 'string' ? Buffer.from(value) : value);

export function channelCredentials(address: string, options: ConnectOptions): ChannelCredentials | undefined {
  if (options.credentials) return options.credentials;
  const tls = options.tls ?? address.startsWith('https://');
  if (!tls) return address.startsWith('http://') ? undefined : ChannelCredentials.createInsecure();
  const config = tls === true ? {} : tls;
  return ChannelCredentials.createSsl(asBuffer(config.rootCerts), asBuffer(config.privateKey), asBuffer(config.certChain));
}
