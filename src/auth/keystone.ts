// Keystone mode: a caller's token is validated against one identity cloud from clouds.yaml with the node's own
// service credentials (GET /v3/auth/tokens + X-Subject-Token; Keystone lets admin or service roles do that).
// Validations are cached by a hash of the token (never the token) until the token expires, and checked again
// at most every `revalidateSeconds`, so a revoked token stops working within that bound.
import { createHash } from 'node:crypto';
import { ServerError, Status } from 'nice-grpc';
import type { CloudConfig } from '../config/clouds/types.ts';
import { HttpClient } from '../backends/openstack/transport/http.ts';
import { TokenManager, type ProjectInfo } from '../backends/openstack/transport/keystone.ts';
import {
  CloudSession,
  OpenStackAuthError,
  OpenStackHttpError,
  type CloudSessionOptions,
} from '../backends/openstack/transport/index.ts';
import type { Secret } from '../config/clouds/secret.ts';
import { unauthenticated } from './errors.ts';
import type { Identity } from './identity.ts';

export const KEYSTONE_TOKEN_INVALID = 'the Keystone token is invalid, expired or revoked';

export interface KeystoneValidatorOptions {
  /** The identity cloud: its clouds.yaml entry holds the node's service credentials. */
  cloud: CloudConfig;
  revalidateSeconds: number;
  now?: () => number;
  session?: CloudSessionOptions;
}

interface Validation {
  identity: Identity;
  expiresAt: number;
  checkedAt: number;
}

const MAX_CACHED = 10_000;

export class KeystoneValidator {
  readonly #session: CloudSession;
  readonly #revalidateMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, Validation>();
  readonly #pending = new Map<string, Promise<Validation>>();
  #validations = 0;

  constructor(opts: KeystoneValidatorOptions) {
    this.#session = new CloudSession(opts.cloud, opts.session);
    this.#revalidateMs = opts.revalidateSeconds * 1000;
    this.#now = opts.now ?? Date.now;
  }

  /** Validation requests sent to Keystone so far (tests, metrics). */
  get validations(): number {
    return this.#validations;
  }

  // The caller's signal is not passed on: one validation is shared by every concurrent caller of that token, and one
  // caller giving up must not fail the others.
  async authenticate(token: string, _signal?: AbortSignal): Promise<Identity> {
    const key = createHash('sha256').update(token, 'utf8').digest('hex');
    const now = this.#now();
    const cached = this.#cache.get(key);
    if (cached && now >= cached.expiresAt) {
      this.#cache.delete(key);
      throw unauthenticated(KEYSTONE_TOKEN_INVALID);
    }
    if (cached && now - cached.checkedAt < this.#revalidateMs) return cached.identity;
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = this.#validate(token, key).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return (await pending).identity;
  }

  close(): void {
    this.#session.close();
  }

  async #validate(token: string, key: string): Promise<Validation> {
    this.#validations++;
    let body: unknown;
    try {
      const res = await this.#session.request('identity', this.#session.config.regions[0].region, {
        method: 'GET',
        path: '/auth/tokens',
        headers: { 'x-subject-token': token },
      });
      body = res.body;
    } catch (error) {
      if (error instanceof OpenStackHttpError && (error.status === 404 || error.status === 401)) {
        this.#cache.delete(key);
        throw unauthenticated(KEYSTONE_TOKEN_INVALID);
      }
      // Keystone's own messages may quote the subject token: never pass them on.
      const why =
        error instanceof OpenStackAuthError
          ? 'the node cannot authenticate to it'
          : error instanceof OpenStackHttpError && error.status === 403
            ? "the node's account may not validate tokens (it needs the admin or service role)"
            : error instanceof OpenStackHttpError
              ? `it answered HTTP ${error.status}`
              : 'it is unreachable';
      throw new ServerError(
        Status.UNAVAILABLE,
        `cannot validate the Keystone token: identity cloud ${this.#session.name}: ${why}`,
      );
    }
    const validation = { identity: identityFromTokenBody(body), expiresAt: expiryOf(body), checkedAt: this.#now() };
    if (validation.expiresAt <= validation.checkedAt) throw unauthenticated(KEYSTONE_TOKEN_INVALID);
    this.#remember(key, validation);
    return validation;
  }

  #remember(key: string, validation: Validation): void {
    if (this.#cache.size >= MAX_CACHED) {
      for (const [k, v] of this.#cache) if (v.expiresAt <= validation.checkedAt) this.#cache.delete(k);
      // Still full: drop the oldest entry (Map keeps insertion order).
      if (this.#cache.size >= MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value as string);
    }
    this.#cache.set(key, validation);
  }
}

type TokenBody = {
  token?: {
    expires_at?: string;
    user?: { id?: string; name?: string; domain?: { id?: string; name?: string } };
    project?: { id?: string; name?: string; domain?: { id?: string; name?: string } };
    domain?: { id?: string; name?: string };
    roles?: { name?: string }[];
  };
};

function expiryOf(body: unknown): number {
  const expires = Date.parse((body as TokenBody)?.token?.expires_at ?? '');
  return Number.isFinite(expires) ? expires : 0;
}

/** User, project (or domain scope) and roles of a validated token body. */
export function identityFromTokenBody(body: unknown): Identity {
  const t = (body as TokenBody)?.token ?? {};
  const user = t.user
    ? { id: t.user.id, name: t.user.name, domainId: t.user.domain?.id, domainName: t.user.domain?.name }
    : undefined;
  const project = t.project
    ? { id: t.project.id, name: t.project.name, domainId: t.project.domain?.id, domainName: t.project.domain?.name }
    : undefined;
  const scope = project
    ? `project ${project.name ?? project.id}`
    : t.domain
      ? `domain ${t.domain.name ?? t.domain.id}`
      : 'unscoped';
  return {
    method: 'keystone',
    subject: `keystone user ${user?.name ?? user?.id ?? '?'} (${scope})`,
    user,
    project,
    roles: (t.roles ?? []).map((r) => r.name).filter((n): n is string => typeof n === 'string'),
    groups: [],
  };
}

/**
 * For the CLI: exchanges the credentials of a user's own clouds.yaml entry (an application credential
 * id + secret, or a password) for a Keystone token to send as `x-auth-token`.
 */
export async function exchangeCredentialsForToken(
  cloud: CloudConfig,
  signal?: AbortSignal,
): Promise<{ token: Secret; expiresAt: number; project?: ProjectInfo }> {
  const rc = cloud.regions[0];
  const http = new HttpClient({ verify: rc.verify, cacert: rc.cacert, cert: rc.cert, key: rc.key });
  const secrets = [rc.auth.password, rc.auth.applicationCredentialSecret, rc.auth.token]
    .filter((s) => s !== undefined)
    .map((s) => s.reveal());
  const context = { cloud: cloud.name, service: 'identity' as const };
  try {
    const manager = new TokenManager({
      authUrl: rc.auth.authUrl,
      method: rc.authType,
      auth: rc.auth,
      context,
      scrub: (text) => secrets.reduce((out, s) => (s.length >= 3 ? out.split(s).join('***') : out), text),
      post: (url, body) =>
        http.request({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body,
          signal,
          context,
        }),
    });
    const token = await manager.get(signal);
    return { token: token.value, expiresAt: token.expiresAt, project: token.project };
  } finally {
    http.close();
  }
}
