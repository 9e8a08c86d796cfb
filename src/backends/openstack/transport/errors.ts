import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * Errors carry a gRPC status code (the numeric `status` enum from @grpc/grpc-js) so the
 * API layer can answer with it as is. Messages never contain credentials or tokens:
 * they are built from the status, the service and the service's own error text only.
 */
export { GrpcStatus };

export interface ErrorContext {
  cloud?: string;
  region?: string;
  service?: string;
  method?: string;
  /** URL path only (no query, no host credentials). */
  path?: string;
}

export class OpenStackError extends Error {
  readonly code: GrpcStatus;
  readonly cloud?: string;
  readonly region?: string;
  readonly service?: string;

  constructor(message: string, code: GrpcStatus, ctx: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OpenStackError';
    this.code = code;
    this.cloud = ctx.cloud;
    this.region = ctx.region;
    this.service = ctx.service;
  }

  /** The gRPC code, under the name every oaktree layer reads (see CodedError in src/api/errors.ts). */
  get grpcCode(): GrpcStatus {
    return this.code;
  }
}

/** The cloud answered with an HTTP error status. */
export class OpenStackHttpError extends OpenStackError {
  readonly status: number;
  /** x-openstack-request-id (or x-compute-request-id), for the cloud operator's logs. */
  readonly requestId?: string;
  /** The message the service put in its error body, if any. */
  readonly serviceMessage?: string;

  constructor(status: number, ctx: ErrorContext, serviceMessage: string | undefined, requestId: string | undefined) {
    const what = [ctx.service, ctx.method && ctx.path ? `${ctx.method} ${ctx.path}` : undefined]
      .filter(Boolean)
      .join(' ');
    const where = ctx.cloud !== undefined ? ` on ${ctx.cloud}${ctx.region ? `/${ctx.region}` : ''}` : '';
    const detail = serviceMessage ? `: ${serviceMessage}` : '';
    const rid = requestId ? ` (request id ${requestId})` : '';
    super(
      `${what || 'request'}${where} failed with HTTP ${status}${detail}${rid}`,
      grpcCodeForHttpStatus(status, serviceMessage),
      ctx,
    );
    this.name = 'OpenStackHttpError';
    this.status = status;
    this.requestId = requestId;
    this.serviceMessage = serviceMessage;
  }
}

/** Keystone refused the credentials (or re-authentication failed). Always UNAUTHENTICATED. */
export class OpenStackAuthError extends OpenStackError {
  readonly status?: number;
  readonly requestId?: string;

  constructor(message: string, ctx: ErrorContext, status?: number, requestId?: string) {
    super(message, GrpcStatus.UNAUTHENTICATED, ctx);
    this.name = 'OpenStackAuthError';
    this.status = status;
    this.requestId = requestId;
  }
}

/** No endpoint for a service/region/interface in the catalog. */
export class EndpointNotFoundError extends OpenStackError {
  constructor(message: string, ctx: ErrorContext) {
    super(message, GrpcStatus.UNIMPLEMENTED, ctx);
    this.name = 'EndpointNotFoundError';
  }
}

/** Connect refused/reset, DNS, TLS: the cloud could not be reached. */
export class OpenStackConnectionError extends OpenStackError {
  readonly errno?: string;
  constructor(message: string, ctx: ErrorContext, errno?: string, cause?: unknown) {
    super(message, GrpcStatus.UNAVAILABLE, ctx, { cause });
    this.name = 'OpenStackConnectionError';
    this.errno = errno;
  }
}

/** The cloud did not answer within api_timeout (or the connect timeout). */
export class OpenStackTimeoutError extends OpenStackError {
  constructor(message: string, ctx: ErrorContext) {
    super(message, GrpcStatus.DEADLINE_EXCEEDED, ctx);
    this.name = 'OpenStackTimeoutError';
  }
}

const QUOTA = /quota|limit exceeded|exceeded.*limit|over ?limit|too many/i;

/**
 * HTTP status → gRPC code. 403 with a quota message and 413 are RESOURCE_EXHAUSTED
 * (nova answers quota with 403 or 413, cinder with 413, neutron with 409 OverQuota).
 */
export function grpcCodeForHttpStatus(status: number, message?: string): GrpcStatus {
  switch (status) {
    case 400:
    case 422:
      return GrpcStatus.INVALID_ARGUMENT;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return message && QUOTA.test(message) ? GrpcStatus.RESOURCE_EXHAUSTED : GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.NOT_FOUND;
    case 409:
      if (message && /quota/i.test(message)) return GrpcStatus.RESOURCE_EXHAUSTED;
      return message && /already exists|duplicate|in use by another/i.test(message)
        ? GrpcStatus.ALREADY_EXISTS
        : GrpcStatus.ABORTED;
    case 413:
    case 429:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 501:
      return GrpcStatus.UNIMPLEMENTED;
    case 504:
      return GrpcStatus.DEADLINE_EXCEEDED;
  }
  if (status >= 500) return GrpcStatus.UNAVAILABLE;
  if (status >= 400) return GrpcStatus.FAILED_PRECONDITION;
  return GrpcStatus.UNKNOWN;
}

/** Any error → gRPC code: ours carry one; an AbortError is CANCELLED (or DEADLINE_EXCEEDED for a timeout reason). */
export function grpcCodeFor(err: unknown): GrpcStatus {
  if (err instanceof OpenStackError) return err.code;
  if (err instanceof Error && err.name === 'TimeoutError') return GrpcStatus.DEADLINE_EXCEEDED;
  if (err instanceof Error && err.name === 'AbortError') return GrpcStatus.CANCELLED;
  return GrpcStatus.UNKNOWN;
}

/**
 * The human message inside an OpenStack error body. Shapes seen in the wild:
 * nova   {"itemNotFound": {"code": 404, "message": "..."}} (any single key),
 * neutron {"NeutronError": {"type", "message", "detail"}},
 * keystone {"error": {"code", "title", "message"}},
 * glance/webob  {"message": "...", "code": "404 Not Found", "title"} or an HTML/plain text body,
 * cinder {"badRequest": {"message", "code"}}, ironic {"error_message": "<json string>"}.
 */
export function extractErrorMessage(body: unknown, maxLength = 500): string | undefined {
  const found = findMessage(body, 0);
  if (!found) return undefined;
  const clean = found
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength)}…` : clean || undefined;
}

function findMessage(body: unknown, depth: number): string | undefined {
  if (depth > 3 || body === null || body === undefined) return undefined;
  if (typeof body === 'string') {
    const trimmed = body.trim();
    if (trimmed.startsWith('{')) {
      try {
        return findMessage(JSON.parse(trimmed), depth + 1);
      } catch {
        /* not JSON: fall through to text */
      }
    }
    return trimmed || undefined;
  }
  if (typeof body !== 'object' || Array.isArray(body)) return undefined;
  const obj = body as Record<string, unknown>;
  for (const key of ['message', 'faultstring', 'error_message', 'detail']) {
    const v = obj[key];
    if (typeof v === 'string' && v.trim()) return findMessage(v, depth + 1);
  }
  if (typeof obj.title === 'string' && typeof obj.code !== 'object' && Object.keys(obj).length <= 3 && !obj.message) {
    return obj.title;
  }
  for (const key of ['NeutronError', 'error', ...Object.keys(obj)]) {
    const v = obj[key];
    if (v && typeof v === 'object') {
      const m = findMessage(v, depth + 1);
      if (m) return m;
    }
  }
  return undefined;
}

/** Whether a cloud answered 404 (the object is not there). */
export function isNotFound(error: unknown): boolean {
  return error instanceof OpenStackHttpError && error.status === 404;
}
