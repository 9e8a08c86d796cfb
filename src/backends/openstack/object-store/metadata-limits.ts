// Swift's metadata limits (its check_metadata), checked before a request leaves: the cloud's /info says how many
// items, how long a key or a value, and how many bytes in all. Swift measures what travels in the headers, so a
// value counts as sent, percent-encoded when it is not plain ASCII. Checking here turns what would be the cloud's
// 400 (or, past an HTTP server's header limit, a reset connection) into INVALID_ARGUMENT that names the limit.
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { encodeMeta, swiftInfo } from './swift.ts';

/** Checks `metadata` (as it will be sent: every item the request sets) against the region's limits. */
export async function checkMetadataLimits(
  ctx: RegionContext,
  metadata: Record<string, string>,
  field: string,
  signal: AbortSignal,
): Promise<void> {
  const entries = Object.entries(metadata);
  if (entries.length === 0) return;
  const limits = (await swiftInfo(ctx, signal)).metadata;
  const refuse = (what: string, max: number, name: string) =>
    new OaktreeError(
      GrpcStatus.INVALID_ARGUMENT,
      `${what}; the object store of ${describeLocation(ctx.location)} allows at most ${max} (${name})`,
    );
  if (entries.length > limits.count)
    throw refuse(`${field} has ${entries.length} items`, limits.count, 'max_meta_count');
  let total = 0;
  for (const [key, value] of entries) {
    const keyBytes = Buffer.byteLength(key);
    const valueBytes = Buffer.byteLength(encodeMeta(value));
    if (keyBytes > limits.nameLength)
      throw refuse(`a ${field} key is ${keyBytes} bytes long`, limits.nameLength, 'max_meta_name_length');
    if (valueBytes > limits.valueLength)
      throw refuse(
        `a ${field} value is ${valueBytes} bytes long as sent (percent-encoded unless plain ASCII)`,
        limits.valueLength,
        'max_meta_value_length',
      );
    total += keyBytes + valueBytes;
  }
  if (total > limits.overallSize)
    throw refuse(`${field} is ${total} bytes of keys and values as sent`, limits.overallSize, 'max_meta_overall_size');
}
