// Request context, JSON body reading with a size cap, and the error bodies of each OpenStack service.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudRuntime } from './cloud-runtime.ts';
import type { RegionData, Token, User } from './store.ts';
import type { ServiceName } from './types.ts';
import { ApiError } from './util.ts';

/** nova's default max_request_body_size. */
export const MAX_JSON_BODY = 114_688;

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Ctx {
  cloud: CloudRuntime;
  region: RegionData;
  service: ServiceName;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  query: URLSearchParams;
  params: Record<string, string>;
  requestId: string;
  /** Absolute URL of the service's unversioned root for this region, e.g. http://127.0.0.1:5000/compute */
  serviceBase: string;
  /** Absolute URL of the versioned root, e.g. http://127.0.0.1:5000/compute/v2.1 */
  apiBase: string;
  token?: Token;
  user?: User;
  /** Project of the token (empty for unscoped tokens). */
  projectId: string;
  /** Negotiated microversion (nova, cinder), [major, minor]. */
  microversion: [number, number];
}

// biome-ignore lint/suspicious/noConfusingVoidType: a handler that streams its answer itself returns nothing
export type Handler = (ctx: Ctx) => Promise<Reply | void> | Reply | void;

export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new ApiError(413, 'Request is too large.', 'RequestEntityTooLarge');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiError(413, 'Request is too large.', 'RequestEntityTooLarge');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function readJson(ctx: Ctx, limit = MAX_JSON_BODY): Promise<Record<string, any>> {
  const raw = await readBody(ctx.req, limit);
  if (raw.length === 0) throw new ApiError(400, 'Malformed request body', 'MalformedRequestBody');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ApiError(400, 'Malformed request body', 'MalformedRequestBody');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ApiError(400, 'Malformed request body: expected a JSON object', 'MalformedRequestBody');
  }
  return parsed as Record<string, any>;
}

const NOVA_FAULT_NAMES: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface RenderedError {
  contentType: string;
  body: string;
}

/** The error body each service would send. */
export function renderError(service: ServiceName | 'unknown', err: ApiError): RenderedError {
  const { status, message } = err;
  const reason = REASONS[status] ?? 'Error';
  switch (service) {
    case 'identity':
      return json({ error: { code: status, message, title: reason } });
    case 'network':
      return json({ NeutronError: { type: err.type ?? reason.replace(/ /g, ''), message, detail: '' } });
    case 'object-store':
      // swift's proxy answers short HTML pages
      return {
        contentType: 'text/html; charset=UTF-8',
        body: `<html><h1>${reason}</h1><p>${escapeHtml(message)}</p></html>`,
      };
    case 'image':
      // glance answers webob HTML error pages
      return {
        contentType: 'text/html; charset=UTF-8',
        body: `<html>\n <head>\n  <title>${status} ${reason}</title>\n </head>\n <body>\n  <h1>${status} ${reason}</h1>\n  ${escapeHtml(message)}<br /><br />\n\n\n\n </body>\n</html>`,
      };
    default:
      return json({ [NOVA_FAULT_NAMES[status] ?? 'computeFault']: { code: status, message } });
  }
}

/** keystonemiddleware's answer to a missing or bad token, whatever the service. */
export function unauthorizedBody(): RenderedError {
  return json({
    error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
  });
}

function json(value: unknown): RenderedError {
  return { contentType: 'application/json', body: JSON.stringify(value) };
}

/** As webob does (Python's html.escape): the apostrophe too. */
function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c] as string,
  );
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  const headers = { ...(reply.headers ?? {}) };
  let payload: string | undefined;
  if (reply.body !== undefined && reply.status !== 204) {
    payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['Content-Type'] = 'application/json';
  }
  headers['Content-Length'] = String(payload ? Buffer.byteLength(payload) : 0);
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** Integer query parameter, 400 when it is not one. */
export function intParam(ctx: Ctx, name: string): number | undefined {
  const raw = ctx.query.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw))
    throw new ApiError(400, `Invalid input for query parameters ${name}. Value: ${raw}.`, 'BadRequest');
  return Number(raw);
}

/** A next link that keeps the other query parameters. */
export function nextHref(ctx: Ctx, base: string, marker: string, limit: number): string {
  const q = new URLSearchParams(ctx.query);
  q.set('limit', String(limit));
  q.set('marker', marker);
  return `${base}?${q.toString()}`;
}
