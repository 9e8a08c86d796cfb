// OIDC / JWT bearer tokens, verified with jose against a JWKS from a file or a URL. Every failed check is
// UNAUTHENTICATED naming the check; the token itself never appears in a message.
import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ServerError, Status } from 'nice-grpc';
import { unauthenticated } from './errors.ts';
import type { Identity } from './identity.ts';
import { AuthConfigError } from './errors.ts';

export interface JwtSettings {
  jwksFile?: string;
  jwksUrl?: string;
  issuer: string;
  audience: string;
  clockSkewSeconds: number;
  groupsClaim: string;
  projectClaim?: string;
}

export class JwtVerifier {
  readonly #settings: JwtSettings;
  readonly #keys: JWTVerifyGetKey;

  private constructor(settings: JwtSettings, keys: JWTVerifyGetKey) {
    this.#settings = settings;
    this.#keys = keys;
  }

  static async create(settings: JwtSettings): Promise<JwtVerifier> {
    if (settings.jwksUrl) return new JwtVerifier(settings, createRemoteJWKSet(new URL(settings.jwksUrl)));
    if (!settings.jwksFile) throw new AuthConfigError('auth.jwt needs jwks_file or jwks_url');
    let jwks: unknown;
    try {
      jwks = JSON.parse(await readFile(settings.jwksFile, 'utf8'));
    } catch (error) {
      throw new AuthConfigError(`${settings.jwksFile}: cannot read the JWKS: ${(error as Error).message}`);
    }
    try {
      return new JwtVerifier(settings, createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]));
    } catch (error) {
      throw new AuthConfigError(`${settings.jwksFile}: not a JSON Web Key Set: ${(error as Error).message}`);
    }
  }

  async authenticate(token: string): Promise<Identity> {
    const s = this.#settings;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#keys, {
        issuer: s.issuer,
        audience: s.audience,
        clockTolerance: s.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw jwtError(error, s);
    }
    const sub = payload.sub as string;
    const project = s.projectClaim ? payload[s.projectClaim] : undefined;
    const name = typeof payload.preferred_username === 'string' ? payload.preferred_username : undefined;
    return {
      method: 'jwt',
      subject: `jwt ${sub}`,
      user: { id: sub, name },
      project: typeof project === 'string' && project ? { name: project } : undefined,
      roles: [],
      groups: stringList(payload[s.groupsClaim]),
    };
  }
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Maps jose's failures onto one message per check. */
function jwtError(error: unknown, s: JwtSettings): ServerError {
  if (error instanceof errors.JWTExpired) return unauthenticated('the JWT has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'aud':
        return unauthenticated(`the JWT has the wrong audience (this node accepts "${s.audience}")`);
      case 'iss':
        return unauthenticated(`the JWT has the wrong issuer (this node accepts "${s.issuer}")`);
      case 'nbf':
        return unauthenticated('the JWT is not valid yet (nbf is in the future)');
      case 'iat':
        return unauthenticated('the JWT was issued in the future (iat)');
      default:
        return unauthenticated(`the JWT lacks or has an invalid "${error.claim}" claim`);
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return unauthenticated('the JWT has a bad signature');
  if (error instanceof errors.JWKSNoMatchingKey)
    return unauthenticated('the JWT is signed with a key that is not in the JWKS');
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return unauthenticated('the JWT uses an algorithm this node does not accept');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid)
    return unauthenticated('the JWT is malformed');
  // What is left is the key set itself: a JWKS URL that timed out, answered non-200 or could not be reached.
  return new ServerError(
    Status.UNAVAILABLE,
    `the JWKS${s.jwksUrl ? ` at ${s.jwksUrl}` : ''} could not be used to verify the JWT`,
  );
}
