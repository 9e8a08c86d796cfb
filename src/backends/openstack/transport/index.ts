export { CloudSession, announcedLength } from './session.ts';
export type {
  CloudSessionOptions,
  SessionLogger,
  SessionRequest,
  SessionResponse,
  PaginateRequestOptions,
} from './session.ts';
export type { ServiceType, CatalogEntry } from './catalog.ts';
export { SERVICE_TYPE_ALIASES } from './catalog.ts';
export type { VersionInfo } from './discovery.ts';
export type { ProjectInfo } from './keystone.ts';
export {
  OpenStackError,
  OpenStackHttpError,
  OpenStackAuthError,
  OpenStackConnectionError,
  OpenStackTimeoutError,
  EndpointNotFoundError,
  grpcCodeFor,
  grpcCodeForHttpStatus,
  extractErrorMessage,
  GrpcStatus,
  isNotFound,
} from './errors.ts';
export type { RetryPolicy } from './retry.ts';
export { DEFAULT_RETRY_POLICY } from './retry.ts';
