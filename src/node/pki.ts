// A throwaway PKI for tests and `oaktree topology up`: a CA and the server/client certificates it issues, made
// with the openssl CLI (node:crypto verifies certificates but cannot make them). EC P-256 keeps it fast.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface IssuedCert {
  /** PEM certificate file. */
  cert: string;
  /** PEM private key file (PKCS#8). */
  key: string;
}

export interface CertRequest {
  /** The subject's common name. */
  cn: string;
  /** subjectAltNames: host names, IP addresses, URIs (spiffe://...). */
  dns?: string[];
  ips?: string[];
  uris?: string[];
  /** Which uses the certificate allows; default both. */
  usage?: 'server' | 'client' | 'both';
  /** Validity in days; default 2. */
  days?: number;
}

export interface Pki {
  /** Where every file lives. */
  readonly dir: string;
  /** The CA certificate (PEM file): what servers and clients trust. */
  readonly caCert: string;
  /** Issues a certificate signed by this CA; `name` names the files (letters, digits, . _ -). */
  issue(name: string, request: CertRequest): Promise<IssuedCert>;
  /** Deletes the folder (only when this PKI made it). */
  close(): Promise<void>;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 15_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`openssl ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}

/** Makes a new CA in `dir` (default: a fresh temp folder, deleted by close()). */
export async function createPki(options: { dir?: string; name?: string } = {}): Promise<Pki> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'oaktree-pki-')));
  const ownsDir = options.dir === undefined;
  const caCert = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  await openssl([
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    caKey,
    '-out',
    caCert,
    '-days',
    '30',
    '-subj',
    `/CN=${options.name ?? 'oaktree throwaway CA'}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);

  return {
    dir,
    caCert,
    async issue(name, request) {
      if (!/^[A-Za-z0-9._-]+$/.test(name))
        throw new Error(`certificate file name "${name}" may only use letters, digits and . _ -`);
      const cert = join(dir, `${name}.pem`);
      const key = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const ext = join(dir, `${name}.ext`);
      const usage = request.usage ?? 'both';
      const eku = { server: 'serverAuth', client: 'clientAuth', both: 'serverAuth,clientAuth' }[usage];
      const sans = [
        ...(request.dns ?? []).map((dns) => `DNS:${dns}`),
        ...(request.ips ?? []).map((ip) => {
          if (!isIP(ip)) throw new Error(`"${ip}" is not an IP address`);
          return `IP:${ip}`;
        }),
        ...(request.uris ?? []).map((uri) => `URI:${uri}`),
      ];
      await writeFile(
        ext,
        `${[
          'basicConstraints=critical,CA:FALSE',
          'keyUsage=critical,digitalSignature,keyEncipherment',
          `extendedKeyUsage=${eku}`,
          ...(sans.length ? [`subjectAltName=${sans.join(',')}`] : []),
        ].join('\n')}\n`,
      );
      await openssl(['req', '-new', ...EC_KEY, '-keyout', key, '-out', csr, '-subj', `/CN=${request.cn}`]);
      const days = request.days ?? 2;
      await openssl([
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        caCert,
        '-CAkey',
        caKey,
        '-set_serial',
        `0x${randomBytes(8).toString('hex')}`,
        '-days',
        String(days),
        '-extfile',
        ext,
        '-out',
        cert,
      ]);
      await Promise.all([rm(csr, { force: true }), rm(ext, { force: true })]);
      return { cert, key };
    },
    async close() {
      if (ownsDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
