import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import type { CloudConfig, CloudRegionConfig } from '../../../config/clouds/types.ts';
import { DEFAULT_API_TIMEOUT_SECONDS } from '../../../config/clouds/defaults.ts';
import { catalogRegions, endpointOverride, findEndpoint, type ServiceType } from './catalog.ts';
import { joinUrl, raceAbort, VersionDiscovery, type VersionInfo } from './discovery.ts';
import { isSharedPath, type ReadSharing } from './read-sharing.ts';
import {
  EndpointNotFoundError,
  extractErrorMessage,
  GrpcStatus,
  OpenStackError,
  OpenStackHttpError,
  type ErrorContext,
} from './errors.ts';
import { HttpClient, type HttpClientOptions, type HttpResponse } from './http.ts';
import { TokenManager, type ProjectInfo, type Token } from './keystone.ts';
import { microversionHeaders, negotiateMicroversion } from './microversion.ts';
import { UnparsedBody } from '../../../core/unparsed-body.ts';
import { paginate } from './paginate.ts';
import { DEFAULT_RETRY_POLICY, isIdempotent, sendWithRetries, type RetryPolicy } from './retry.ts';
import type { CloudLimiter } from './limits.ts';
import type { Tracer } from '@opentelemetry/api';
import type { ByteDirection, ByteKind, UpstreamObserver } from '../../../observability/metrics.ts';
import { observeAttempt } from './observe.ts';

/** The subset of pino's API the session uses: `(obj, msg)`. */
export interface SessionLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CloudSessionOptions {
  logger?: SessionLogger;
  retry?: Partial<RetryPolicy>;
  /** Compute microversions oaktree understands (default 2.1 … 2.79). */
  computeMicroversions?: { min: string; max: string };
  /** Overrides for the HTTP client (connect timeout, pool size, user agent). */
  http?: Partial<HttpClientOptions>;
  /** Refresh a token when less than this is left (default 60 s). */
  tokenRefreshMarginMs?: number;
  /** Shares collection GETs between concurrent callers and keeps small answers briefly (read-sharing.ts). */
  reads?: ReadSharing;
  /** Sees every HTTP attempt, retry and shared read (the node's metrics). */
  observer?: UpstreamObserver;
  /** The node's rate and concurrency limits for this cloud, shared by every caller. */
  limiter?: CloudLimiter;
  /** A span per HTTP attempt, child of the active one (the backend's). */
  tracer?: Tracer;
}

export interface SessionRequest {
  method: string;
  /** Relative to the service's versioned URL, e.g. "/servers/detail". */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body. */
  body?: unknown;
  /** Raw body (image upload); a stream is sent once and never retried. */
  rawBody?: Buffer | Readable;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Epoch ms; no retry is scheduled past it and each attempt's timeout is clipped to it. */
  deadline?: number;
  /** A GET that must not be answered from kept shared reads (it still joins an in-flight one). */
  fresh?: boolean;
  /** Marks a POST/PATCH as safe to repeat (GET/HEAD/PUT/DELETE are by default). */
  idempotent?: boolean;
  /** Resolve at the headers and return the body as a stream (image download). */
  rawResponse?: boolean;
  /** Compute only: a specific microversion, or false for none; default the negotiated one. */
  microversion?: string | false;
  /**
   * The body may come back as its bytes (core/unparsed-body.ts), for a reader that parses it later: a list page
   * fetched ahead. A small answer the shared reads keep comes back parsed.
   */
  parseLater?: boolean;
}

export interface SessionResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, text for other content, undefined when empty or rawResponse; an UnparsedBody may come back when parseLater. */
  body: unknown;
  /** The body stream when rawResponse. */
  stream?: Readable;
  requestId?: string;
}

/** The body length a response announces (Content-Length), when it says one. */
export function announcedLength(res: SessionResponse): number | undefined {
  const value = res.headers['content-length'];
  const length = value === undefined ? Number.NaN : Number(value);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

export interface PaginateRequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  limit?: number;
  markerField?: string;
  signal?: AbortSignal;
  deadline?: number;
  fresh?: boolean;
}

const DEFAULT_COMPUTE_MICROVERSIONS = { min: '2.1', max: '2.79' };

/**
 * Everything needed to talk to one cloud from clouds.yaml: HTTP pools, Keystone tokens,
 * the catalog, version discovery, compute microversion, retries and pagination.
 * Regions that share credentials share one token.
 */
export class CloudSession {
  readonly name: string;
  readonly config: CloudConfig;
  readonly #log?: SessionLogger;
  readonly #retry: RetryPolicy;
  readonly #http: HttpClient;
  readonly #discovery: VersionDiscovery;
  readonly #tokens = new Map<string, TokenManager>();
  readonly #microversions = new Map<string, Promise<string>>();
  readonly #wantedCompute: { min: string; max: string };
  readonly #refreshMarginMs?: number;
  readonly #reads?: ReadSharing;
  readonly #observer?: UpstreamObserver;
  readonly #limiter?: CloudLimiter;
  readonly #tracer?: Tracer;
  /** Shared with the fresh-reads view, so closing either closes both. */
  readonly #life: { closed: boolean };
  /** This is the view whose GETs bypass kept shared reads (withFreshReads). */
  readonly #freshReads: boolean;
  #freshView?: CloudSession;
  /** Shared-read keys loading now: a caller that finds its key here joined a flight (a coalesced read). */
  #readsInFlight = new Set<string>();

  /** Image or object bytes that went to (upload) or came from (download) this cloud: counted where they pass. */
  transferred(kind: ByteKind, direction: ByteDirection, bytes: number): void {
    this.#observer?.bytes?.({ cloud: this.name, kind, direction }, bytes);
  }

  constructor(config: CloudConfig, opts: CloudSessionOptions = {}, freshViewOf?: CloudSession) {
    if (config.regions.length === 0) throw new Error(`cloud ${config.name} has no region entries`);
    this.name = config.name;
    this.config = config;
    this.#freshReads = !!freshViewOf;
    if (freshViewOf) {
      const base = freshViewOf;
      [this.#log, this.#retry, this.#http, this.#discovery] = [base.#log, base.#retry, base.#http, base.#discovery];
      [this.#tokens, this.#microversions, this.#wantedCompute] = [
        base.#tokens,
        base.#microversions,
        base.#wantedCompute,
      ];
      [this.#refreshMarginMs, this.#reads, this.#life] = [base.#refreshMarginMs, base.#reads, base.#life];
      [this.#observer, this.#limiter, this.#tracer] = [base.#observer, base.#limiter, base.#tracer];
      return;
    }
    this.#life = { closed: false };
    this.#log = opts.logger;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    this.#wantedCompute = opts.computeMicroversions ?? DEFAULT_COMPUTE_MICROVERSIONS;
    this.#refreshMarginMs = opts.tokenRefreshMarginMs;
    this.#reads = opts.reads;
    this.#observer = opts.observer;
    this.#limiter = opts.limiter;
    this.#tracer = opts.tracer;
    // TLS and timeouts come from the first region; per-region TLS settings are rare and not supported.
    const first = config.regions[0];
    this.#http = new HttpClient({
      verify: first.verify,
      cacert: first.cacert,
      cert: first.cert,
      key: first.key,
      timeoutMs: (first.apiTimeout ?? DEFAULT_API_TIMEOUT_SECONDS) * 1000,
      ...opts.http,
    });
    this.#discovery = new VersionDiscovery((url) => this.#discoveryGet(url));
  }

  /**
   * The same session (tokens, pools, discovery) whose reads skip kept answers: what a list asked for `fresh`
   * resolves its region with, so the wish travels with the call instead of riding on its AbortSignal.
   */
  withFreshReads(): CloudSession {
    if (this.#freshReads) return this;
    this.#freshView ??= new CloudSession(this.config, {}, this);
    return this.#freshView;
  }

  /**
   * Whose answers these are in one region: cloud/region/project id/user id of the region's token. Every cache,
   * lock and feed key starts with it, so two credentials never share an answer.
   */
  async credentialKey(region: string, signal?: AbortSignal): Promise<string> {
    const token = await this.#tokenManager(this.#regionConfig(region)).get(signal);
    return credentialKeyOf(this.name, region, token);
  }

  /** Auth requests sent and sockets opened so far (metrics, tests). */
  stats(): { authRequests: number; socketsCreated: number } {
    let authRequests = 0;
    for (const tm of this.#tokens.values()) authRequests += tm.authCount;
    return { authRequests, socketsCreated: this.#http.socketsCreated };
  }

  /** Authenticates the credentials of the first configured region (and checks they work). */
  async authenticate(signal?: AbortSignal): Promise<void> {
    await this.#tokenManager(this.config.regions[0]).get(signal);
  }

  /** Who a region's token speaks for (user, scope, roles, expiry): never the token itself. */
  async caller(region: string, signal?: AbortSignal): Promise<Omit<Token, 'value' | 'catalog' | 'issuedAt'>> {
    const { user, project, domain, roles, expiresAt } = await this.#tokenManager(this.#regionConfig(region)).get(
      signal,
    );
    return { user, project, domain, roles, expiresAt };
  }

  /** The scoped project of the first region's token; throws before authenticate(). */
  project(): ProjectInfo {
    const token = this.#tokenManager(this.config.regions[0]).current();
    if (!token)
      throw new OpenStackError(
        `cloud ${this.name}: project() called before authenticate()`,
        GrpcStatus.FAILED_PRECONDITION,
        { cloud: this.name },
      );
    return (
      token.project ?? { id: '', name: '', domainId: token.domain?.id ?? '', domainName: token.domain?.name ?? '' }
    );
  }

  /** Configured regions; when the config names none, the regions in the catalog (after authenticate()). */
  regions(): string[] {
    const configured = this.config.regions.map((r) => r.region).filter((r) => r !== '');
    if (configured.length) return configured;
    const token = this.#tokenManager(this.config.regions[0]).current();
    return token ? catalogRegions(token.catalog) : [];
  }

  /** The versioned base URL and version document for a service in a region. */
  async service(service: ServiceType, region: string, signal?: AbortSignal): Promise<VersionInfo> {
    const rc = this.#regionConfig(region);
    const token = await this.#tokenManager(rc).get(signal);
    const url = this.#endpointUrl(service, rc, region, token);
    return this.#discovery.discover(service, url, signal);
  }

  /** The compute microversion negotiated for this region (cached): min(oaktree's max, the cloud's max). */
  computeMicroversion(region: string, signal?: AbortSignal): Promise<string> {
    let pending = this.#microversions.get(region);
    if (!pending) {
      pending = this.service('compute', region, signal).then((info) => {
        const negotiated = negotiateMicroversion(this.#wantedCompute, {
          min: info.minMicroversion,
          max: info.maxMicroversion,
        });
        if (negotiated) return negotiated;
        if (info.maxMicroversion) {
          throw new OpenStackError(
            `cloud ${this.name}/${region}: compute supports microversions ${info.minMicroversion ?? '?'}–${info.maxMicroversion}, oaktree needs ${this.#wantedCompute.min}–${this.#wantedCompute.max}`,
            GrpcStatus.FAILED_PRECONDITION,
            { cloud: this.name, region, service: 'compute' },
          );
        }
        return this.#wantedCompute.min; // a cloud without microversions speaks the base version
      });
      pending.catch(() => this.#microversions.delete(region));
      this.#microversions.set(region, pending);
    }
    return pending;
  }

  async request(service: ServiceType, region: string, req: SessionRequest): Promise<SessionResponse> {
    const reads = this.#reads;
    const method = req.method.toUpperCase();
    if (!reads || req.rawResponse || req.rawBody !== undefined) return this.#request(service, region, req);
    const token = await this.#tokenManager(this.#regionConfig(region)).get(req.signal);
    if (method !== 'GET') {
      const response = await this.#request(service, region, req);
      // The project's data changed, whichever user of it looks: drop the kept answers of all its users.
      await reads.written(`${credentialKeyOf(this.name, region, token, false)}/`);
      return response;
    }
    if (!isSharedPath(req.path)) return this.#request(service, region, req);
    const query = Object.entries(req.query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join('&');
    const microversion =
      service === 'compute' && req.microversion !== false
        ? (req.microversion ?? (await this.computeMicroversion(region, req.signal)))
        : '';
    const key = `${credentialKeyOf(this.name, region, token)}/${service} ${req.path}?${query} ${microversion} ${JSON.stringify(req.headers ?? {})}`;
    let sent = false;
    const joined = this.#readsInFlight.has(key);
    if (!joined) this.#readsInFlight.add(key);
    const sharing = reads.share(
      key,
      async () => {
        sent = true;
        // One caller's cancel must not fail the others sharing this request.
        const response = await this.#request(service, region, { ...req, signal: undefined });
        return {
          status: response.status,
          headers: pickHeaders(response.headers),
          body: response.body,
          requestId: response.requestId,
        };
      },
      { fresh: req.fresh ?? this.#freshReads },
    );
    void sharing.then(
      () =>
        this.#observer?.sharedRead({ cloud: this.name, region, result: sent ? 'miss' : joined ? 'coalesced' : 'hit' }),
      () => {},
    );
    if (!joined) void sharing.finally(() => this.#readsInFlight.delete(key)).catch(() => {});
    // A caller that gives up stops waiting at once; the request others share goes on for them.
    const shared = req.signal ? await raceAbort(sharing, req.signal) : await sharing;
    return { status: shared.status, headers: shared.headers, body: shared.body, requestId: shared.requestId };
  }

  async #request(service: ServiceType, region: string, req: SessionRequest): Promise<SessionResponse> {
    if (this.#life.closed)
      throw new OpenStackError(`cloud ${this.name}: session is closed`, GrpcStatus.UNAVAILABLE, { cloud: this.name });
    const rc = this.#regionConfig(region);
    const method = req.method.toUpperCase();
    const ctx: ErrorContext = { cloud: this.name, region, service, method, path: req.path };
    const tokens = this.#tokenManager(rc);
    let token = await tokens.get(req.signal);
    const info = await this.#discovery.discover(service, this.#endpointUrl(service, rc, region, token), req.signal);

    const url = new URL(joinUrl(info.url, req.path));
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));

    const headers: Record<string, string> = { accept: 'application/json' };
    let body: Buffer | Readable | undefined;
    if (req.rawBody !== undefined) {
      body = req.rawBody;
      headers['content-type'] = 'application/octet-stream';
    } else if (req.body !== undefined) {
      body = Buffer.from(JSON.stringify(req.body));
      headers['content-type'] = 'application/json';
    }
    if (service === 'compute' && req.microversion !== false) {
      const mv = req.microversion ?? (await this.computeMicroversion(region, req.signal));
      Object.assign(headers, microversionHeaders('compute', mv));
    }
    Object.assign(headers, req.headers);

    const replayable = !(body !== undefined && !Buffer.isBuffer(body));
    const idempotent = replayable && isIdempotent(method, req.idempotent);
    const send = (t: Token) =>
      this.#send(
        {
          method,
          url,
          headers: { ...headers, 'x-auth-token': t.value.reveal() },
          body,
          signal: req.signal,
          rawResponse: req.rawResponse,
          context: ctx,
        },
        rc,
        idempotent,
        req.deadline,
      );

    let res = await send(token);
    if (res.status === 401 && replayable) {
      // The token was revoked or expired early: exactly one re-authentication, one retry.
      res.stream?.destroy();
      this.#log?.info({ cloud: this.name, region, service }, 'token rejected, re-authenticating once');
      tokens.invalidate(token);
      token = await tokens.get(req.signal);
      res = await send(token);
    }
    const requestId =
      headerValue(res.headers, 'x-openstack-request-id') ?? headerValue(res.headers, 'x-compute-request-id');
    if (res.status >= 400) throw await this.#httpError(res, ctx, requestId);
    if (req.rawResponse)
      return { status: res.status, headers: res.headers, body: undefined, stream: res.stream, requestId };
    return {
      status: res.status,
      headers: res.headers,
      body: req.parseLater ? unparsedBody(res) : parseBody(res),
      requestId,
    };
  }

  /**
   * A GET, without a token, of a public document beside a service's API (Swift's /info at its proxy's root):
   * through the same pools, TLS settings, limits, metrics, traces and retries as every other request.
   * `locate` turns the service's versioned URL into the document's.
   */
  async getPublic(
    service: ServiceType,
    region: string,
    locate: (serviceUrl: URL) => URL,
    signal?: AbortSignal,
  ): Promise<SessionResponse> {
    if (this.#life.closed)
      throw new OpenStackError(`cloud ${this.name}: session is closed`, GrpcStatus.UNAVAILABLE, { cloud: this.name });
    const rc = this.#regionConfig(region);
    const url = locate(new URL((await this.service(service, region, signal)).url));
    const ctx: ErrorContext = { cloud: this.name, region, service, method: 'GET', path: url.pathname };
    const res = await this.#send(
      { method: 'GET', url, headers: { accept: 'application/json' }, signal, context: ctx },
      rc,
      true,
    );
    const requestId = headerValue(res.headers, 'x-openstack-request-id');
    if (res.status >= 400) throw await this.#httpError(res, ctx, requestId);
    return { status: res.status, headers: res.headers, body: parseBody(res), requestId };
  }

  /** Streams a list page by page (see paginate.ts); each page is one upstream request. */
  async *paginate(
    service: ServiceType,
    region: string,
    path: string,
    itemsKey: string,
    opts: PaginateRequestOptions = {},
  ): AsyncGenerator<Record<string, unknown>[]> {
    const info = await this.service(service, region, opts.signal);
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) query[k] = String(v);
    yield* paginate(
      async (page) =>
        (
          await this.request(service, region, {
            method: 'GET',
            path: page.path,
            query: page.query,
            signal: opts.signal,
            deadline: opts.deadline,
            fresh: opts.fresh,
            parseLater: true,
          })
        ).body,
      {
        itemsKey,
        baseUrl: info.url,
        path,
        query,
        limit: opts.limit,
        markerField: opts.markerField,
        context: { cloud: this.name, region, service },
      },
    );
  }

  close(): void {
    this.#life.closed = true;
    this.#http.close();
  }

  // --- internals -------------------------------------------------------------------------

  #regionConfig(region: string): CloudRegionConfig {
    const exact = this.config.regions.find((r) => r.region === region);
    if (exact) return exact;
    // A cloud configured without regions accepts any region the catalog offers.
    if (this.config.regions.length === 1 && this.config.regions[0].region === '') return this.config.regions[0];
    if (region === '') return this.config.regions[0];
    throw new OpenStackError(
      `cloud ${this.name} has no region "${region}" (configured: ${this.config.regions.map((r) => r.region).join(', ')})`,
      GrpcStatus.NOT_FOUND,
      { cloud: this.name, region },
    );
  }

  #tokenManager(rc: CloudRegionConfig): TokenManager {
    const a = rc.auth;
    const material = JSON.stringify([
      rc.authType,
      a,
      a.password?.reveal(),
      a.applicationCredentialSecret?.reveal(),
      a.token?.reveal(),
    ]);
    const key = createHash('sha256').update(material).digest('hex');
    let tm = this.#tokens.get(key);
    if (!tm) {
      const ctx: ErrorContext = { cloud: this.name, region: rc.region, service: 'identity' };
      tm = new TokenManager({
        authUrl: a.authUrl,
        method: rc.authType,
        auth: a,
        context: ctx,
        refreshMarginMs: this.#refreshMarginMs,
        scrub: (text) => this.#scrub(text),
        post: (url, body) =>
          this.#send(
            {
              method: 'POST',
              url,
              headers: { 'content-type': 'application/json', accept: 'application/json' },
              body: Buffer.from(body),
              context: { ...ctx, method: 'POST', path: url.pathname },
            },
            rc,
            true, // asking for a token twice is harmless
          ),
      });
      this.#tokens.set(key, tm);
    }
    return tm;
  }

  #endpointUrl(service: ServiceType, rc: CloudRegionConfig, region: string, token: Token): string {
    const override = endpointOverride(rc, service, token.project?.id);
    if (override) return override;
    const url = findEndpoint(token.catalog, { service, region, interface: rc.interface });
    if (!url) {
      throw new EndpointNotFoundError(
        `cloud ${this.name}${region ? `/${region}` : ''} has no ${rc.interface} ${service} endpoint in its catalog`,
        { cloud: this.name, region, service },
      );
    }
    return url;
  }

  async #send(
    req: Parameters<HttpClient['request']>[0],
    rc: CloudRegionConfig,
    idempotent: boolean,
    deadline?: number,
  ): Promise<HttpResponse> {
    const timeoutMs = (rc.apiTimeout ?? DEFAULT_API_TIMEOUT_SECONDS) * 1000;
    const started = Date.now();
    const labels = { cloud: this.name, region: rc.region, service: req.context?.service ?? 'discovery' };
    const watchers = { limiter: this.#limiter, observer: this.#observer, tracer: this.#tracer };
    const res = await sendWithRetries(
      () =>
        observeAttempt({ ...labels, method: req.method }, { ...watchers, signal: req.signal, deadline }, () => {
          const left = deadline !== undefined ? deadline - Date.now() : Infinity;
          return this.#http.request({ ...req, timeoutMs: Math.max(1, Math.min(timeoutMs, left)) });
        }),
      {
        idempotent,
        policy: this.#retry,
        signal: req.signal,
        deadline,
        onRetry: (r) => {
          this.#observer?.retry({ ...labels, reason: r.reason.startsWith('HTTP') ? r.reason : 'connection' });
          this.#log?.warn(
            {
              cloud: this.name,
              region: rc.region,
              service: req.context?.service,
              method: req.method,
              path: req.url.pathname,
              ...r,
            },
            'retrying OpenStack request',
          );
        },
      },
    );
    this.#log?.debug(
      {
        cloud: this.name,
        region: rc.region,
        service: req.context?.service,
        method: req.method,
        path: req.url.pathname,
        status: res.status,
        ms: Date.now() - started,
        requestId: headerValue(res.headers, 'x-openstack-request-id'),
      },
      'OpenStack request',
    );
    return res;
  }

  async #discoveryGet(url: URL): Promise<{ status: number; body: unknown }> {
    // Version documents are public on every service; no token, so a 401 cannot loop.
    const res = await this.#send(
      {
        method: 'GET',
        url,
        headers: { accept: 'application/json' },
        context: { cloud: this.name, method: 'GET', path: url.pathname },
      },
      this.config.regions[0],
      true,
    );
    return { status: res.status, body: parseBody(res) };
  }

  async #httpError(res: HttpResponse, ctx: ErrorContext, requestId: string | undefined): Promise<OpenStackHttpError> {
    let raw: Buffer = res.body;
    if (res.stream) raw = await readLimited(res.stream, 64 * 1024);
    const text = raw.toString('utf8');
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* plain text or HTML error page */
    }
    const message = extractErrorMessage(parsed);
    return new OpenStackHttpError(res.status, ctx, message === undefined ? undefined : this.#scrub(message), requestId);
  }

  /** Removes every credential and token this session knows from server-provided text. */
  #scrub(text: string): string {
    const secrets = new Set<string>();
    for (const r of this.config.regions) {
      for (const s of [r.auth.password, r.auth.applicationCredentialSecret, r.auth.token])
        if (s) secrets.add(s.reveal());
    }
    for (const tm of this.#tokens.values()) {
      const t = tm.current();
      if (t) secrets.add(t.value.reveal());
    }
    let out = text;
    for (const s of secrets) if (s.length >= 3) out = out.split(s).join('***');
    return out;
  }
}

/** cloud/region/project id/user id (without the user: the prefix of every user of that project). */
function credentialKeyOf(cloud: string, region: string, token: Token, withUser = true): string {
  const parts = [cloud, region, token.project?.id ?? token.domain?.id ?? ''];
  if (withUser) parts.push(token.user?.id ?? '');
  return parts.map(encodeURIComponent).join('/');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseBody(res: HttpResponse): unknown {
  return unparsedBody(res).parse();
}

function unparsedBody(res: HttpResponse): UnparsedBody {
  return new UnparsedBody(res.body, headerValue(res.headers, 'content-type') ?? '');
}

async function readLimited(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= limit) break;
    }
  } catch {
    /* a broken error body still gives an error */
  }
  stream.destroy();
  return Buffer.concat(chunks);
}

/** The response headers worth keeping with a shared answer. */
function pickHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ['content-type', 'x-openstack-request-id', 'x-compute-request-id', 'openstack-api-version']) {
    const value = headers[name];
    if (typeof value === 'string') kept[name] = value;
  }
  return kept;
}
