import type { AuthMethod, AuthSettings } from '../../../config/clouds/types.ts';
import { Secret } from '../../../config/clouds/secret.ts';
import type { CatalogEntry } from './catalog.ts';
import { raceAbort } from './discovery.ts';
import {
  extractErrorMessage,
  grpcCodeForHttpStatus,
  OpenStackAuthError,
  OpenStackError,
  type ErrorContext,
} from './errors.ts';
import type { HttpResponse } from './http.ts';

export interface ProjectInfo {
  id: string;
  name: string;
  domainId: string;
  domainName: string;
}

/** A Keystone v3 token and what came with it. */
export interface Token {
  value: Secret;
  issuedAt: number;
  expiresAt: number;
  catalog: CatalogEntry[];
  project?: ProjectInfo;
  domain?: { id: string; name: string };
  user?: { id: string; name: string; domainId?: string };
  /** Role names on the scope. */
  roles?: string[];
}

/** auth_url may be the bare Keystone root or already end in /v3 (both are common in clouds.yaml). */
export function identityV3Url(authUrl: string): string {
  const trimmed = authUrl.replace(/\/+$/, '');
  if (/\/v3$/.test(trimmed)) return trimmed;
  if (/\/v2\.0$/.test(trimmed)) return trimmed.replace(/\/v2\.0$/, '/v3');
  return `${trimmed}/v3`;
}

type DomainRef = { id: string } | { name: string };

function domainRef(id: string | undefined, name: string | undefined): DomainRef | undefined {
  if (id) return { id };
  if (name) return { name };
  return undefined;
}

/**
 * The POST /v3/auth/tokens body for one of the three methods (keystoneauth
 * identity/v3/password.py, application_credential.py, token.py). Scope: project by id, or
 * by name + domain; else domain; else system; application credentials carry their own scope.
 */
export function buildAuthRequest(method: AuthMethod, auth: AuthSettings): Record<string, unknown> {
  const identity: Record<string, unknown> = { methods: [method] };
  const user = (): Record<string, unknown> => {
    if (auth.userId) return { id: auth.userId };
    const domain = domainRef(auth.userDomainId, auth.userDomainName);
    return domain ? { name: auth.username, domain } : { name: auth.username };
  };
  switch (method) {
    case 'password':
      identity.password = { user: { ...user(), password: auth.password?.reveal() } };
      break;
    case 'application_credential':
      identity.application_credential = auth.applicationCredentialId
        ? { id: auth.applicationCredentialId, secret: auth.applicationCredentialSecret?.reveal() }
        : { name: auth.applicationCredentialName, secret: auth.applicationCredentialSecret?.reveal(), user: user() };
      return { auth: { identity } };
    case 'token':
      identity.token = { id: auth.token?.reveal() };
      break;
  }
  let scope: Record<string, unknown> | undefined;
  if (auth.projectId) scope = { project: { id: auth.projectId } };
  else if (auth.projectName)
    scope = { project: { name: auth.projectName, domain: domainRef(auth.projectDomainId, auth.projectDomainName) } };
  else if (auth.domainId || auth.domainName) scope = { domain: domainRef(auth.domainId, auth.domainName) };
  else if (auth.systemScope) scope = { system: { [auth.systemScope]: true } };
  return scope ? { auth: { identity, scope } } : { auth: { identity } };
}

/** Parses a 201 from POST /v3/auth/tokens. */
export function parseTokenResponse(res: HttpResponse, now: number): Token {
  const header = res.headers['x-subject-token'];
  const value = Array.isArray(header) ? header[0] : header;
  const body = JSON.parse(res.body.toString('utf8') || '{}') as { token?: Record<string, any> };
  const t = body.token;
  if (!value || !t) throw new Error('Keystone answered without X-Subject-Token or token body');
  const expires = typeof t.expires_at === 'string' ? Date.parse(t.expires_at) : NaN;
  const issued = typeof t.issued_at === 'string' ? Date.parse(t.issued_at) : NaN;
  return {
    value: new Secret(value),
    // Keystone's clock and ours differ: keep the lifetime, anchor it on our clock.
    issuedAt: now,
    expiresAt: Number.isFinite(expires) ? now + (expires - (Number.isFinite(issued) ? issued : now)) : now + 3600_000,
    catalog: Array.isArray(t.catalog) ? (t.catalog as CatalogEntry[]) : [],
    project: t.project
      ? {
          id: t.project.id,
          name: t.project.name,
          domainId: t.project.domain?.id ?? '',
          domainName: t.project.domain?.name ?? '',
        }
      : undefined,
    domain: t.domain ? { id: t.domain.id, name: t.domain.name } : undefined,
    user: t.user ? { id: t.user.id, name: t.user.name, domainId: t.user.domain?.id } : undefined,
    roles: Array.isArray(t.roles) ? t.roles.map((r: { name?: string }) => String(r.name ?? '')) : undefined,
  };
}

export interface TokenManagerOptions {
  authUrl: string;
  method: AuthMethod;
  auth: AuthSettings;
  /** Sends the auth POST (with the transport's retries); the body is already JSON. */
  post: (url: URL, body: string) => Promise<HttpResponse>;
  context: ErrorContext;
  /** Refresh when less than this is left (default 60 s; halved for short-lived tokens). */
  refreshMarginMs?: number;
  now?: () => number;
  /** Strips known secrets from text that came from the server. */
  scrub: (text: string) => string;
}

/**
 * One token per credential set, shared by every caller: reused until it is close to
 * expiry, and never more than one auth request in flight. `invalidate(token)` drops a
 * token a service rejected, but only if it is still the current one, so twenty concurrent
 * 401s cause one re-authentication, not twenty.
 */
export class TokenManager {
  readonly #opts: TokenManagerOptions;
  #token?: Token;
  #pending?: Promise<Token>;
  #authCount = 0;

  constructor(opts: TokenManagerOptions) {
    this.#opts = opts;
  }

  /** How many auth requests were sent (metrics, tests). */
  get authCount(): number {
    return this.#authCount;
  }

  current(): Token | undefined {
    return this.#token;
  }

  get(signal?: AbortSignal): Promise<Token> {
    const token = this.#token;
    if (token && this.#fresh(token)) return Promise.resolve(token);
    if (!this.#pending) {
      this.#pending = this.#authenticate().finally(() => {
        this.#pending = undefined;
      });
    }
    return signal ? raceAbort(this.#pending, signal) : this.#pending;
  }

  invalidate(token: Token): void {
    if (this.#token === token) this.#token = undefined;
  }

  #fresh(token: Token): boolean {
    const now = (this.#opts.now ?? Date.now)();
    const lifetime = token.expiresAt - token.issuedAt;
    const margin = Math.min(this.#opts.refreshMarginMs ?? 60_000, lifetime / 2);
    return token.expiresAt - now > margin;
  }

  async #authenticate(): Promise<Token> {
    const { method, auth, context } = this.#opts;
    const url = new URL(`${identityV3Url(this.#opts.authUrl)}/auth/tokens`);
    this.#authCount++;
    const res = await this.#opts.post(url, JSON.stringify(buildAuthRequest(method, auth)));
    const requestId = header(res, 'x-openstack-request-id');
    if (res.status === 201 || res.status === 200) {
      try {
        const token = parseTokenResponse(res, (this.#opts.now ?? Date.now)());
        this.#token = token;
        return token;
      } catch (err) {
        throw new OpenStackAuthError(
          `Keystone at ${url.origin} gave an unusable token answer: ${(err as Error).message}`,
          context,
          res.status,
          requestId,
        );
      }
    }
    let serviceMessage: string | undefined;
    try {
      serviceMessage = extractErrorMessage(JSON.parse(res.body.toString('utf8')));
    } catch {
      serviceMessage = extractErrorMessage(res.body.toString('utf8'));
    }
    const detail = serviceMessage ? `: ${this.#opts.scrub(serviceMessage)}` : '';
    const who =
      auth.userId ?? auth.username ?? auth.applicationCredentialId ?? auth.applicationCredentialName ?? 'token';
    if (res.status === 401 || res.status === 403 || res.status === 404 || res.status === 400) {
      throw new OpenStackAuthError(
        `authentication as ${method} (${who}) to ${url.origin} failed with HTTP ${res.status}${detail}${requestId ? ` (request id ${requestId})` : ''}`,
        context,
        res.status,
        requestId,
      );
    }
    throw new OpenStackError(
      `Keystone at ${url.origin} answered HTTP ${res.status}${detail}`,
      grpcCodeForHttpStatus(res.status, serviceMessage),
      context,
    );
  }
}

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
