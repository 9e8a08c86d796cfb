// Waiting for a server: one short-interval GET per server for now. A shared per-region poller (src/cache) will
// replace this function; every caller goes through it, so the swap is one place.
import { delay } from 'abort-controller-x';
import { OaktreeError } from '../../../api/errors.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { getServerRaw } from './servers.ts';
import type { Raw } from './nova.ts';

export interface WaitOptions {
  /** First poll interval (ms); grows by half each time up to maxIntervalMs. */
  intervalMs?: number;
  maxIntervalMs?: number;
}

/** What makes a poll worth reporting: status, task, progress, addresses, fault, last update. */
export function serverFingerprint(raw: Raw): string {
  return JSON.stringify([raw.status, raw['OS-EXT-STS:task_state'], raw.progress, raw.addresses, raw.fault, raw.updated]);
}

/**
 * Polls the server until `until(raw)` holds and returns that state. `onChange` sees the first state and every
 * change after it. Throws NOT_FOUND when the server disappears, and the signal's reason (cancel, deadline).
 */
export async function waitForServerStatus(
  ctx: RegionContext,
  serverId: string,
  until: (raw: Raw) => boolean,
  signal: AbortSignal,
  onChange: (raw: Raw) => void | Promise<void>,
  options: WaitOptions = {},
): Promise<Raw> {
  let interval = options.intervalMs ?? 250;
  const maxInterval = options.maxIntervalMs ?? 2000;
  let last: string | undefined;
  for (;;) {
    const raw = await getServerRaw(ctx, serverId, signal);
    if (!raw) throw new OaktreeError(GrpcStatus.NOT_FOUND, `server ${serverId} no longer exists (it was deleted)`);
    const fingerprint = serverFingerprint(raw);
    if (fingerprint !== last) {
      last = fingerprint;
      await onChange(raw);
    }
    if (until(raw)) return raw;
    await delay(signal, interval);
    interval = Math.min(maxInterval, Math.round(interval * 1.5));
  }
}

/** Polls until nova no longer shows the server (404 or DELETED). */
export async function waitForServerGone(ctx: RegionContext, serverId: string, signal: AbortSignal, options: WaitOptions = {}): Promise<void> {
  let interval = options.intervalMs ?? 250;
  for (;;) {
    if (!(await getServerRaw(ctx, serverId, signal))) return;
    await delay(signal, interval);
    interval = Math.min(options.maxIntervalMs ?? 2000, Math.round(interval * 1.5));
  }
}
