// One simulated cloud: its HTTP server on its own port, request dispatch to the services, auth, faults, stats.
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FaultRegistry } from './faults.ts';
import { liveToken } from './keystone-policy.ts';
import { renderError, send, unauthorizedBody, type Ctx, type Handler, type Reply } from './http.ts';
import { negotiate, type VersionRange } from './microversion.ts';
import type { RouteTable } from './router.ts';
import type { StatsRecorder } from './stats.ts';
import { CloudData, type RegionData, type ResolvedCloudOptions } from './store.ts';
import type { ServiceName } from './types.ts';
import { ApiError, requestId, sleep } from './util.ts';

export interface ServiceModule {
  name: ServiceName;
  /** URL segment after the (optional) region segment, e.g. "compute". */
  prefix: string;
  /** Turns the path after the prefix into a route path, or a discovery handler, or undefined (404). */
  resolve(
    rest: string,
    cloud: CloudRuntime,
  ): { path: string; versionRoot: string } | { discovery: Handler } | undefined;
  routes: RouteTable;
  requiresAuth: boolean;
  versions?: VersionRange;
}

export class CloudRuntime {
  readonly data: CloudData;
  private server?: HttpServer;
  private readonly sockets = new Set<Socket>();
  /** Requests held open by the hang fault; answered never, destroyed at close. */
  private readonly hanging = new Set<ServerResponse>();
  private readonly byPrefix: Map<string, ServiceModule>;
  port = 0;
  /** Cleanup hooks (temp files etc.). */
  readonly onClose: Array<() => Promise<void> | void> = [];

  constructor(
    readonly opts: ResolvedCloudOptions,
    readonly host: string,
    readonly faults: FaultRegistry,
    readonly stats: StatsRecorder,
    services: ServiceModule[],
    readonly tempDir: string,
  ) {
    this.data = new CloudData(opts);
    this.byPrefix = new Map(services.map((s) => [s.prefix, s]));
  }

  get name(): string {
    return this.opts.name;
  }

  get origin(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  get authUrl(): string {
    return `${this.origin}/identity`;
  }

  /** Region segment in endpoint paths; only multi-region clouds carry one. */
  regionPath(region: string): string {
    return this.opts.regions.length > 1 ? `/${encodeURIComponent(region)}` : '';
  }

  serviceBase(region: string, prefix: string): string {
    return `${this.origin}${this.regionPath(region)}/${prefix}`;
  }

  async listen(): Promise<void> {
    // Headers up to 64 KiB reach the services (Node stops at 16 KiB with a reset), so Swift's own 400s answer
    // oversized metadata as the real proxy does.
    const server = createServer(
      { keepAliveTimeout: 5000, maxHeaderSize: 64 * 1024 },
      (req, res) => void this.handle(req, res),
    );
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.host, () => resolve());
    });
    this.server = server;
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : this.opts.port;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of this.sockets) socket.destroy();
      await closed;
    }
    for (const hook of this.onClose) await hook();
  }

  invalidateTokens(): void {
    this.data.minTokenSerial = this.data.nextTokenSerial;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reqId = requestId();
    res.setHeader('x-openstack-request-id', reqId);
    let service: ServiceModule | undefined;
    try {
      const url = new URL(req.url ?? '/', this.origin);
      const segments = url.pathname.replace(/\/{2,}/g, '/').split('/');
      let region = this.data.regions.get(this.opts.regions[0]) as RegionData;
      if (this.opts.regions.length > 1 && this.data.regions.has(decodeURIComponent(segments[1] ?? ''))) {
        region = this.data.regions.get(decodeURIComponent(segments[1])) as RegionData;
        segments.splice(1, 1);
      }
      service = this.byPrefix.get(segments[1] ?? '');
      if (!service) {
        this.stats.record(this.name, region.name, 'unknown', `${req.method} ${url.pathname}`);
        send(res, { status: 404, body: '404 Not Found', headers: { 'Content-Type': 'text/plain' } });
        return;
      }
      const rest = `/${segments.slice(2).join('/')}`;
      const resolved = service.resolve(rest === '/' ? '' : rest, this);
      let handler: Handler | undefined;
      let template: string;
      let params: Record<string, string> = {};
      let apiBase = this.serviceBase(region.name, service.prefix);
      let needsAuth = false;
      let matchError: ApiError | undefined;
      if (!resolved) {
        template = `${req.method} ${rest}`;
        matchError = new ApiError(404, 'The resource could not be found.', 'HTTPNotFound');
      } else if ('discovery' in resolved) {
        template = `${req.method} /`;
        handler = resolved.discovery;
      } else {
        apiBase += resolved.versionRoot;
        const match = service.routes.match(req.method ?? 'GET', resolved.path);
        if (match.kind === 'found') {
          template = `${req.method} ${match.template}`;
          handler = match.handler;
          params = match.params;
          needsAuth = service.requiresAuth;
        } else if (match.kind === 'method-not-allowed') {
          template = `${req.method} ${match.template}`;
          matchError = new ApiError(405, 'The method is not allowed for the requested URL.', 'HTTPMethodNotAllowed');
        } else {
          template = `${req.method} ${resolved.path}`;
          matchError = new ApiError(404, 'The resource could not be found.', 'HTTPNotFound');
        }
      }
      this.stats.record(this.name, region.name, service.name, template);

      const target = { cloud: this.name, service: service.name, region: region.name, route: template };
      const decision = this.faults.decide(target);
      if (decision.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (decision.kind === 'hang') {
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      const latency = this.opts.latencyMs + this.faults.latencyFor(target);
      if (latency > 0) await sleep(latency);
      if (decision.kind === 'status') {
        const headers: Record<string, string> = {};
        if (decision.retryAfterSeconds !== undefined) headers['Retry-After'] = String(decision.retryAfterSeconds);
        throw Object.assign(new ApiError(decision.status, faultMessage(decision.status)), { headers });
      }
      if (matchError) throw matchError;

      const ctx: Ctx = {
        cloud: this,
        region,
        service: service.name,
        req,
        res,
        url,
        query: url.searchParams,
        params,
        requestId: reqId,
        serviceBase: this.serviceBase(region.name, service.prefix),
        apiBase,
        projectId: '',
        microversion: [0, 0],
      };
      if (needsAuth && !this.authenticate(ctx)) {
        const rendered = unauthorizedBody();
        send(res, {
          status: 401,
          body: rendered.body,
          headers: { 'Content-Type': rendered.contentType, 'WWW-Authenticate': `Keystone uri="${this.authUrl}"` },
        });
        return;
      }
      let versionHeaders: Record<string, string> = {};
      if (service.versions && needsAuth) {
        const negotiated = negotiate(req, service.versions);
        ctx.microversion = negotiated.version;
        versionHeaders = negotiated.headers;
        for (const [k, v] of Object.entries(versionHeaders)) res.setHeader(k, v);
      }
      const reply = await (handler as Handler)(ctx);
      if (reply) send(res, { ...reply, headers: { ...versionHeaders, ...(reply.headers ?? {}) } });
    } catch (err) {
      this.fail(res, service?.name ?? 'unknown', err);
    }
  }

  /** keystonemiddleware's job: a valid, project-scoped token. */
  private authenticate(ctx: Ctx): boolean {
    const header = ctx.req.headers['x-auth-token'];
    const token = liveToken(this, typeof header === 'string' ? header : undefined);
    if (!token) return false;
    if (!token.projectId)
      throw new ApiError(403, 'Policy does not allow this request to be performed (project-scoped token required).');
    ctx.token = token;
    ctx.user = this.data.users.get(token.userId);
    ctx.projectId = token.projectId;
    return true;
  }

  private fail(res: ServerResponse, service: ServiceName | 'unknown', err: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const apiError =
      err instanceof ApiError
        ? err
        : new ApiError(500, 'An unexpected error prevented the server from fulfilling your request.');
    if (!(err instanceof ApiError)) console.error(`[simulator ${this.name}] internal error:`, err);
    const rendered = renderError(service, apiError);
    const headers: Record<string, string> = {
      'Content-Type': rendered.contentType,
      ...((err as { headers?: Record<string, string> }).headers ?? {}),
    };
    // The rest of an oversize body is not worth reading.
    if (apiError.status === 413) headers.Connection = 'close';
    const reply: Reply = { status: apiError.status, body: rendered.body, headers };
    send(res, reply);
  }
}

function faultMessage(status: number): string {
  if (status === 429) return 'This request was rate-limited.';
  if (status === 503) return 'The server is currently unavailable. Please try again at a later time.';
  return 'An unexpected error prevented the server from fulfilling your request.';
}
