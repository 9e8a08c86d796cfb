import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { OpenStackConnectionError, OpenStackTimeoutError, type ErrorContext } from './errors.ts';

export interface HttpClientOptions {
  /** false disables TLS certificate checks (clouds.yaml `verify: false`). */
  verify?: boolean;
  /** CA bundle file (clouds.yaml `cacert`). */
  cacert?: string;
  /** Client certificate and key files (clouds.yaml `cert`, `key`). */
  cert?: string;
  key?: string;
  /** Whole-request budget in ms, headers and (unless raw) body (clouds.yaml `api_timeout`; default 30 s). */
  timeoutMs?: number;
  /** Budget for the TCP/TLS connect alone (default min(timeoutMs, 10 s)). */
  connectTimeoutMs?: number;
  /** Concurrent sockets per origin (default 32); beyond that requests queue in the agent. */
  maxSocketsPerOrigin?: number;
  userAgent?: string;
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
  signal?: AbortSignal;
  /** Overrides the client's timeoutMs for this call. */
  timeoutMs?: number;
  /** Resolve as soon as headers arrive and hand over the body stream (image download). */
  rawResponse?: boolean;
  /** For error messages only. */
  context?: ErrorContext;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The whole body, unless rawResponse. */
  body: Buffer;
  /** The live body stream when rawResponse; the caller must consume or destroy it. */
  stream?: http.IncomingMessage;
}

const MAX_BODY_BYTES = 256 * 1024 * 1024;

/** An AbortError like fetch's, carrying the signal's reason. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('the operation was aborted', { cause: reason });
  err.name = 'AbortError';
  return err;
}

/**
 * HTTP/1.1 with one keep-alive pool per origin. Every request has a connect timeout, an
 * overall timeout and the caller's AbortSignal; whichever fires first destroys the socket.
 */
export class HttpClient {
  readonly #agents = new Map<string, http.Agent>();
  readonly #seenSockets = new WeakSet<Socket>();
  readonly #opts: Required<Pick<HttpClientOptions, 'timeoutMs' | 'connectTimeoutMs' | 'maxSocketsPerOrigin'>> &
    HttpClientOptions;
  readonly #tls: https.AgentOptions;
  #socketsCreated = 0;
  #closed = false;

  constructor(opts: HttpClientOptions = {}) {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    this.#opts = {
      ...opts,
      timeoutMs,
      connectTimeoutMs: opts.connectTimeoutMs ?? Math.min(timeoutMs, 10_000),
      maxSocketsPerOrigin: opts.maxSocketsPerOrigin ?? 32,
    };
    this.#tls = {
      rejectUnauthorized: opts.verify !== false,
      ca: opts.cacert ? readFileSync(opts.cacert) : undefined,
      cert: opts.cert ? readFileSync(opts.cert) : undefined,
      key: opts.key ? readFileSync(opts.key) : undefined,
    };
  }

  /** Sockets opened so far, across origins (a keep-alive check for tests and metrics). */
  get socketsCreated(): number {
    return this.#socketsCreated;
  }

  #agentFor(url: URL): http.Agent {
    const origin = url.origin;
    let agent = this.#agents.get(origin);
    if (!agent) {
      const common = {
        keepAlive: true,
        maxSockets: this.#opts.maxSocketsPerOrigin,
        maxFreeSockets: 8,
        scheduling: 'lifo' as const,
      };
      agent = url.protocol === 'https:' ? new https.Agent({ ...common, ...this.#tls }) : new http.Agent(common);
      this.#agents.set(origin, agent);
    }
    return agent;
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    if (this.#closed) return Promise.reject(new Error('HttpClient is closed'));
    const { signal } = req;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const ctx = req.context ?? {};
    const timeoutMs = req.timeoutMs ?? this.#opts.timeoutMs;
    const transport = req.url.protocol === 'https:' ? https : http;

    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const finish = (err: Error | undefined, res?: HttpResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(overallTimer);
        clearTimeout(connectTimer);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(res!);
      };
      const onAbort = () => {
        const err = abortError(signal!);
        outgoing.destroy(err);
        finish(err);
      };
      // A streamed request body (an image upload) may take hours: its budget counts from the last chunk sent,
      // so only a stalled upload times out. Every other request has one overall budget.
      const streamedBody = req.body !== undefined && typeof req.body !== 'string' && !Buffer.isBuffer(req.body);
      let overallTimer: NodeJS.Timeout;
      const arm = () => {
        clearTimeout(overallTimer);
        overallTimer = setTimeout(() => {
          const what = streamedBody ? `made no progress for ${timeoutMs} ms` : `timed out after ${timeoutMs} ms`;
          const err = new OpenStackTimeoutError(`${describe(req, ctx)} ${what}`, ctx);
          outgoing.destroy(err);
          finish(err);
        }, timeoutMs);
      };
      arm();

      const outgoing = transport.request(req.url, {
        method: req.method,
        agent: this.#agentFor(req.url),
        headers: { 'user-agent': this.#opts.userAgent ?? 'oaktree', ...req.headers },
      });

      outgoing.on('socket', (socket: Socket) => {
        if (!this.#seenSockets.has(socket)) {
          this.#seenSockets.add(socket);
          this.#socketsCreated++;
        }
        if (socket.connecting) {
          connectTimer = setTimeout(() => {
            const err = new OpenStackConnectionError(
              `${describe(req, ctx)}: connect timed out after ${this.#opts.connectTimeoutMs} ms`,
              ctx,
              'ECONNECTTIMEOUT',
            );
            outgoing.destroy(err);
            finish(err);
          }, this.#opts.connectTimeoutMs);
          socket.once(req.url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
        }
      });

      outgoing.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        finish(new OpenStackConnectionError(`${describe(req, ctx)}: ${err.code ?? err.message}`, ctx, err.code, err));
      });

      outgoing.on('response', (incoming) => {
        if (req.rawResponse) {
          // The caller's signal keeps governing the body stream after the headers.
          if (signal && !signal.aborted) {
            const abortStream = () => incoming.destroy(abortError(signal));
            signal.addEventListener('abort', abortStream, { once: true });
            incoming.once('close', () => signal.removeEventListener('abort', abortStream));
          }
          finish(undefined, {
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.alloc(0),
            stream: incoming,
          });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) incoming.destroy(new Error(`response body larger than ${MAX_BODY_BYTES} bytes`));
          else chunks.push(chunk);
        });
        incoming.on('error', (err: NodeJS.ErrnoException) =>
          finish(
            new OpenStackConnectionError(
              `${describe(req, ctx)}: response interrupted (${err.code ?? err.message})`,
              ctx,
              err.code ?? 'ECONNRESET',
              err,
            ),
          ),
        );
        incoming.on('aborted', () =>
          finish(new OpenStackConnectionError(`${describe(req, ctx)}: response aborted`, ctx, 'ECONNRESET')),
        );
        incoming.on('end', () =>
          finish(undefined, {
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks),
          }),
        );
      });

      signal?.addEventListener('abort', onAbort, { once: true });

      const body = req.body;
      if (body === undefined) outgoing.end();
      else if (typeof body === 'string' || Buffer.isBuffer(body)) outgoing.end(body);
      else {
        body.on('error', (err) => {
          outgoing.destroy(err);
          finish(err);
        });
        body.on('data', arm);
        body.on('end', arm);
        body.pipe(outgoing);
      }
    });
  }

  /** Destroys every pooled socket (in-flight requests fail); the client cannot be used afterwards. */
  close(): void {
    this.#closed = true;
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }
}

function describe(req: HttpRequest, ctx: ErrorContext): string {
  return `${ctx.service ? `${ctx.service} ` : ''}${req.method} ${req.url.pathname}`;
}
