// Turns a call's metadata into an Identity with the methods the node config enables. A token wins over a client
// certificate: the certificate may be a peer's or a proxy's, the token names the caller. A JWT-shaped bearer
// token goes to Keystone when JWT mode is off (Keystone's JWS token provider issues JWTs).
import type { Metadata } from 'nice-grpc-common';
import type { CloudConfig } from '../config/clouds/types.ts';
import type { AuthConfig } from './config.ts';
import { readCredentials } from './credentials.ts';
import { unauthenticated } from './errors.ts';
import { identityFromCertificate, type Identity } from './identity.ts';
import { JwtVerifier } from './jwt.ts';
import { KeystoneValidator } from './keystone.ts';
import { StaticTokens } from './static-tokens.ts';
import { AuthConfigError } from './errors.ts';

export interface AuthMethods {
  keystone?: KeystoneValidator;
  jwt?: JwtVerifier;
  staticTokens?: StaticTokens;
  certificates: boolean;
}

export class Authenticator {
  readonly #methods: AuthMethods;

  constructor(methods: AuthMethods) {
    this.#methods = methods;
  }

  /** Loads the files and opens the identity cloud the config names; `clouds` is the node's clouds.yaml. */
  static async create(config: AuthConfig, clouds: CloudConfig[]): Promise<Authenticator> {
    let keystone: KeystoneValidator | undefined;
    if (config.keystone) {
      const name = config.keystone.cloud;
      const cloud = clouds.find((c) => c.name === name);
      if (!cloud)
        throw new AuthConfigError(
          `auth.keystone.cloud: no clouds.yaml entry "${name}" (have: ${clouds.map((c) => c.name).join(', ') || 'none'})`,
        );
      keystone = new KeystoneValidator({ cloud, revalidateSeconds: config.keystone.revalidateSeconds });
    }
    return new Authenticator({
      keystone,
      jwt: config.jwt ? await JwtVerifier.create(config.jwt) : undefined,
      staticTokens: config.staticTokens ? await StaticTokens.load(config.staticTokens.file) : undefined,
      certificates: config.certificates,
    });
  }

  async authenticate(metadata: Metadata, signal?: AbortSignal): Promise<Identity> {
    const presented = readCredentials(metadata);
    if (presented.malformed) throw unauthenticated(presented.malformed);
    const m = this.#methods;
    const token = presented.token;
    if (token?.kind === 'static-token') {
      if (!m.staticTokens) throw unauthenticated('this node does not accept static API tokens');
      return m.staticTokens.authenticate(token.token);
    }
    if (token?.kind === 'jwt' && m.jwt) return m.jwt.authenticate(token.token);
    if (token) {
      if (!m.keystone)
        throw unauthenticated(
          token.kind === 'jwt'
            ? 'this node does not accept JWT bearer tokens'
            : 'this node does not accept Keystone tokens',
        );
      return m.keystone.authenticate(token.token, signal);
    }
    if (presented.certificate && m.certificates) {
      try {
        return identityFromCertificate(presented.certificate);
      } catch {
        throw unauthenticated('the client certificate has neither a SAN nor a CN to identify the caller');
      }
    }
    throw unauthenticated(`this node requires credentials: ${this.#accepted()}`);
  }

  close(): void {
    this.#methods.keystone?.close();
  }

  #accepted(): string {
    const m = this.#methods;
    const ways = [
      m.keystone && 'a Keystone token (x-auth-token or authorization: Bearer)',
      m.jwt && 'a JWT (authorization: Bearer)',
      m.staticTokens && 'an oaktree_ API token (authorization: Bearer)',
      m.certificates && 'a client certificate',
    ].filter(Boolean);
    return `send ${ways.join(', or ')}`;
  }
}
