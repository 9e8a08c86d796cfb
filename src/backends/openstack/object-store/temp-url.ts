// CreateObjectUrl: a TempURL, signed with the account's key (HMAC over method, expiry and path), so a client can
// move bytes straight to or from Swift. The key is a secret: it is read or set here and never leaves this module.
import { createHmac, randomBytes } from 'node:crypto';
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import {
  type CreateObjectUrlRequest,
  type CreateObjectUrlResponse,
  ObjectUrlMethod,
} from '../../../gen/oaktree/v1/object_store.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { header, objectPath, swift, swiftInfo } from './swift.ts';

const DEFAULT_EXPIRY_SECONDS = 3600;
const MAX_EXPIRY_SECONDS = 7 * 24 * 3600;
const METHODS: Record<number, string> = {
  [ObjectUrlMethod.OBJECT_URL_METHOD_UNSPECIFIED]: 'GET',
  [ObjectUrlMethod.OBJECT_URL_METHOD_GET]: 'GET',
  [ObjectUrlMethod.OBJECT_URL_METHOD_PUT]: 'PUT',
  [ObjectUrlMethod.OBJECT_URL_METHOD_HEAD]: 'HEAD',
  [ObjectUrlMethod.OBJECT_URL_METHOD_DELETE]: 'DELETE',
};

/** The account's TempURL key; one is made and set when there is none (needs the owner's role on the account). */
async function accountKey(ctx: RegionContext, signal: AbortSignal): Promise<string> {
  const head = await swift(ctx, { method: 'HEAD', path: '', signal, fresh: true });
  const existing = header(head.headers, 'x-account-meta-temp-url-key');
  if (existing) return existing;
  const key = randomBytes(32).toString('hex');
  try {
    await swift(ctx, { method: 'POST', path: '', headers: { 'x-account-meta-temp-url-key': key }, signal });
  } catch (error) {
    throw new OaktreeError(
      GrpcStatus.PERMISSION_DENIED,
      `the object store of ${describeLocation(ctx.location)} has no TempURL key and oaktree may not set one (${(error as Error).message.slice(0, 200)}): ask its operator to set X-Account-Meta-Temp-URL-Key`,
    );
  }
  return key;
}

export async function createObjectUrl(
  ctx: RegionContext,
  request: CreateObjectUrlRequest,
  signal: AbortSignal,
): Promise<CreateObjectUrlResponse> {
  const info = await swiftInfo(ctx, signal);
  const method = METHODS[request.method]; // the method table refuses a value not listed
  const where = describeLocation(ctx.location);
  if (!info.tempUrl)
    throw new OaktreeError(
      GrpcStatus.FAILED_PRECONDITION,
      `the object store of ${where} has no TempURL: signed URLs are not available there; stream with UploadObject/DownloadObject instead`,
    );
  if (info.tempUrlMethods.length && !info.tempUrlMethods.includes(method))
    throw new OaktreeError(
      GrpcStatus.FAILED_PRECONDITION,
      `TempURLs at ${where} allow ${info.tempUrlMethods.join(', ')}, not ${method}`,
    );
  if (request.maxSizeBytes > BigInt(info.maxFileSize))
    throw new OaktreeError(
      GrpcStatus.FAILED_PRECONDITION,
      `max_size_bytes ${request.maxSizeBytes} is above the largest object ${where} stores (${info.maxFileSize})`,
    );
  const seconds = Number(request.expiresInSeconds) || DEFAULT_EXPIRY_SECONDS;
  if (seconds > MAX_EXPIRY_SECONDS)
    throw new OaktreeError(
      GrpcStatus.INVALID_ARGUMENT,
      `expires_in_seconds is ${seconds}; the limit is ${MAX_EXPIRY_SECONDS}`,
    );
  const key = await accountKey(ctx, signal);
  const endpoint = new URL((await ctx.session.service('object-store', ctx.region, signal)).url);
  const url = new URL(
    `${endpoint.pathname.replace(/\/+$/, '')}${objectPath(request.container, request.name)}`,
    endpoint,
  );
  const expires = Math.floor(Date.now() / 1000) + seconds;
  // Swift signs the decoded path; sha256 unless the cloud only takes sha1 (older Swift).
  const digest = info.tempUrlDigests.includes('sha256') ? 'sha256' : 'sha1';
  const signature = createHmac(digest, key)
    .update(`${method}\n${expires}\n${decodeURIComponent(url.pathname)}`)
    .digest('hex');
  url.search = new URLSearchParams({ temp_url_sig: signature, temp_url_expires: String(expires) }).toString();
  return {
    location: ctx.location,
    url: url.href,
    method,
    expireTime: new Date(expires * 1000),
    maxSizeBytes: method === 'PUT' ? BigInt(info.maxFileSize) : 0n,
  };
}
