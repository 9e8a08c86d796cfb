// The node's TLS: server credentials whose certificate, key and client CA are re-read on demand (SIGHUP) and when
// the files change, without dropping a connection. grpc-js swaps the secure context of its listening server when a
// certificate provider reports new files; open connections keep the context they were made with.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { dirname, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../observability/logger.ts';
import { NodeConfigError } from './config.ts';

export interface ServerTlsConfig {
  /** PEM certificate chain file. */
  cert: string;
  /** PEM private key file. */
  key: string;
  /** PEM CA file: client certificates signed by it are verified (mTLS). */
  clientCa?: string;
  /** Refuse, at the handshake, clients without a certificate from clientCa. */
  requireClientCert?: boolean;
}

export interface ServerTls {
  readonly credentials: grpc.ServerCredentials;
  /** Re-reads the files; a broken set (unreadable, key not matching the certificate) is logged and ignored. */
  reload(reason: string): Promise<boolean>;
  /** Stops watching the files. */
  close(): void;
}

interface Loaded {
  certificate: Buffer;
  privateKey: Buffer;
  caCertificate?: Buffer;
}

/** A grpc-js certificate provider fed by us: it only ever hands out a set that made a valid secure context. */
class ReloadingCertificateProvider implements grpc.experimental.CertificateProvider {
  private identityListeners = new Set<grpc.experimental.IdentityCertificateUpdateListener>();
  private caListeners = new Set<grpc.experimental.CaCertificateUpdateListener>();

  constructor(private current: Loaded) {}

  update(next: Loaded): void {
    this.current = next;
    for (const listener of this.identityListeners) listener(this.identity());
    for (const listener of this.caListeners) listener(this.ca());
  }

  private identity() {
    return { certificate: this.current.certificate, privateKey: this.current.privateKey };
  }

  private ca() {
    return this.current.caCertificate ? { caCertificate: this.current.caCertificate } : null;
  }

  addIdentityCertificateListener(listener: grpc.experimental.IdentityCertificateUpdateListener): void {
    this.identityListeners.add(listener);
    queueMicrotask(() => listener(this.identity())); // grpc-js registers its watcher right after adding us
  }

  removeIdentityCertificateListener(listener: grpc.experimental.IdentityCertificateUpdateListener): void {
    this.identityListeners.delete(listener);
  }

  addCaCertificateListener(listener: grpc.experimental.CaCertificateUpdateListener): void {
    this.caListeners.add(listener);
    queueMicrotask(() => listener(this.ca()));
  }

  removeCaCertificateListener(listener: grpc.experimental.CaCertificateUpdateListener): void {
    this.caListeners.delete(listener);
  }
}

async function loadFiles(config: ServerTlsConfig): Promise<Loaded> {
  const read = async (file: string, what: string) => {
    try {
      return await readFile(file);
    } catch (error) {
      throw new Error(
        `cannot read the TLS ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  };
  const [certificate, privateKey, caCertificate] = await Promise.all([
    read(config.cert, 'certificate'),
    read(config.key, 'key'),
    config.clientCa ? read(config.clientCa, 'client CA') : undefined,
  ]);
  try {
    // Fails when the key does not match the certificate or a PEM is damaged: better now than at a handshake.
    createSecureContext({ cert: certificate, key: privateKey, ca: caCertificate });
  } catch (error) {
    throw new Error(`TLS files ${config.cert} / ${config.key}: ${(error as Error).message}`);
  }
  return { certificate, privateKey, caCertificate };
}

function sameFiles(a: Loaded, b: Loaded): boolean {
  const same = (x?: Buffer, y?: Buffer) => (x && y ? x.equals(y) : x === y);
  return (
    same(a.certificate, b.certificate) && same(a.privateKey, b.privateKey) && same(a.caCertificate, b.caCertificate)
  );
}

export async function createServerTls(config: ServerTlsConfig, logger: Logger): Promise<ServerTls> {
  if (config.requireClientCert && !config.clientCa) {
    throw new NodeConfigError('tls.require_client_cert needs tls.client_ca: the CA that signs the client certificates');
  }
  let loaded: Loaded;
  try {
    loaded = await loadFiles(config);
  } catch (error) {
    throw new NodeConfigError((error as Error).message);
  }
  const provider = new ReloadingCertificateProvider(loaded);
  // grpc-js's exported helper takes the identity provider first, whatever its declaration names the parameter.
  const credentials = grpc.experimental.createCertificateProviderServerCredentials(
    provider,
    config.clientCa ? provider : null,
    config.requireClientCert ?? false,
  );

  let reloading: Promise<boolean> | undefined;
  const reload = (reason: string): Promise<boolean> => {
    reloading ??= loadFiles(config)
      .then((next) => {
        if (sameFiles(loaded, next)) return true; // another file in the folder changed
        loaded = next;
        provider.update(next);
        logger.info({ reason, cert: config.cert }, 'TLS certificates reloaded');
        return true;
      })
      .catch((error: Error) => {
        logger.warn({ reason, err: error.message }, 'TLS certificates not reloaded: keeping the current ones');
        return false;
      })
      .finally(() => {
        reloading = undefined;
      });
    return reloading;
  };

  // Watch the folders, not the files: tools replace certificates by renaming a new file over the old one
  // (and Kubernetes swaps a symlinked folder), which a watch on the old inode would miss.
  const files = new Set([config.cert, config.key, config.clientCa].filter(Boolean).map((file) => resolve(file!)));
  const watchers: FSWatcher[] = [];
  let debounce: NodeJS.Timeout | undefined;
  for (const dir of new Set([...files].map((file) => dirname(file)))) {
    try {
      const watcher = watch(dir, { persistent: false }, () => {
        // Writers touch the files more than once (key then cert): settle, then read the set once.
        clearTimeout(debounce);
        debounce = setTimeout(() => void reload('file change'), 200);
        debounce.unref();
      });
      watcher.on('error', (error) =>
        logger.warn({ dir, err: error.message }, 'cannot watch TLS files; SIGHUP still reloads'),
      );
      watchers.push(watcher);
    } catch (error) {
      logger.warn({ dir, err: (error as Error).message }, 'cannot watch TLS files; SIGHUP still reloads');
    }
  }

  return {
    credentials,
    reload,
    close() {
      clearTimeout(debounce);
      for (const watcher of watchers) watcher.close();
    },
  };
}
