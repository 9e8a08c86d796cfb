// A watch through a peer that outlives the peer's restarts and dropped connections. The client's stream stays
// open: when the upstream watch fails with UNAVAILABLE (or ends, which a watch never does on its own), it is
// re-opened with the peer's last resume token, with backoff, so nothing is missed and nothing repeated. When the
// peer can no longer resume from that token (it restarted with a new change log: OUT_OF_RANGE), its locations are
// synced again in the same stream: a snapshot (EXISTING, then a checkpoint), then changes, so nothing is missed.
// A token the client brought that is too old still ends the call with OUT_OF_RANGE: that is the client's to handle.
// The peer's token travels inside ours, opaque (cache/watch-token.ts).
import { delay } from 'abort-controller-x';
import { Status } from 'nice-grpc-common';
import { errorItem } from '../../core/error-item.ts';
import type { Location } from '../../gen/oaktree/v1/location.ts';
import type { Logger } from '../../observability/logger.ts';
import { opaqueIn, opaqueToken } from '../../cache/watch-token.ts';

interface WatchMessage {
  resumeToken: string;
}

export interface ResumingWatchOptions {
  /** The peer backend's id: its token's key inside ours. */
  backendId: string;
  /** The client's (merged) token; the peer's part of it is where the first upstream watch starts. */
  requestToken: string;
  /** The locations this peer answers for: each gets an in-band UNAVAILABLE when an outage starts. */
  targets: readonly Location[];
  signal: AbortSignal;
  logger: Logger;
  /** First retry delay, doubled per failure up to maxBackoffMs (defaults 200 ms, 5 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** `open(peerToken)` starts one upstream watch from that token; the result resumes it until the signal fires. */
export async function* resumingWatch<Res extends WatchMessage>(
  open: (peerToken: string) => AsyncIterable<Res>,
  options: ResumingWatchOptions,
): AsyncGenerator<Res> {
  const { backendId, signal, logger } = options;
  let peerToken = opaqueIn(options.requestToken, backendId);
  let failures = 0;
  let interrupted = false; // set once this stream has lost its upstream: later tokens are ours, not the client's
  for (;;) {
    let why: string;
    try {
      for await (const message of open(peerToken)) {
        if (failures > 0) logger.info({ after: failures }, 'watch through peer resumed');
        failures = 0;
        if (!message.resumeToken) {
          yield message;
          continue;
        }
        peerToken = message.resumeToken;
        yield { ...message, resumeToken: opaqueToken(backendId, peerToken) };
      }
      why = 'the upstream watch ended';
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (!signal.aborted && interrupted && code === Status.OUT_OF_RANGE) {
        logger.warn(
          { why: (error as Error).message },
          'watch through peer cannot resume (the peer restarted); syncing its locations again',
        );
        peerToken = '';
        continue;
      }
      if (signal.aborted || code !== Status.UNAVAILABLE) throw error;
      why = (error as Error).message;
    }
    interrupted = true;
    if (signal.aborted) return;
    if (failures++ === 0) {
      logger.warn({ why }, 'watch through peer interrupted; resuming from its last token');
      // Tell the client why its peer's locations went quiet; its stream stays open.
      for (const location of options.targets) {
        yield {
          ...errorItem<Res>(location, Status.UNAVAILABLE, `watch interrupted (${why}); resuming`),
          resumeToken: '',
        };
      }
    }
    await delay(signal, Math.min(options.maxBackoffMs ?? 5_000, (options.backoffMs ?? 200) * 2 ** (failures - 1)));
  }
}
