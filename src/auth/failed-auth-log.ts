// Failed authentications are worth a log line, but a client retrying a bad token in a loop must not flood the log:
// at most one line per source address per interval, carrying how many failures it stands for.
import type { Logger } from 'pino';

const DEFAULT_INTERVAL_MS = 10_000;

/** `ipv4:127.0.0.1:5432` / `ipv6:[::1]:5432` (grpc-js peer strings) → the address without the port. */
export function sourceAddress(peer: string): string {
  const bare = peer.replace(/^(ipv4|ipv6|unix):/, '');
  const v6 = /^\[([^\]]+)\](:\d+)?$/.exec(bare);
  if (v6) return v6[1];
  return bare.replace(/:\d+$/, '');
}

export class FailedAuthLog {
  readonly #logger: Pick<Logger, 'warn'>;
  readonly #intervalMs: number;
  readonly #now: () => number;
  /** source → when the last line was written and how many failures came since. */
  readonly #sources = new Map<string, { loggedAt: number; unlogged: number }>();

  constructor(logger: Pick<Logger, 'warn'>, opts: { intervalMs?: number; now?: () => number } = {}) {
    this.#logger = logger;
    this.#intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.#now = opts.now ?? Date.now;
  }

  /** `reason` is the UNAUTHENTICATED message the caller got: it names the failed check, never the credential. */
  record(peer: string, method: string, reason: string): void {
    const source = sourceAddress(peer);
    const now = this.#now();
    const seen = this.#sources.get(source);
    if (seen && now - seen.loggedAt < this.#intervalMs) {
      seen.unlogged++;
      return;
    }
    this.#prune(now);
    this.#sources.set(source, { loggedAt: now, unlogged: 0 });
    this.#logger.warn({ source, method, reason, failures: (seen?.unlogged ?? 0) + 1 }, 'authentication failed');
  }

  #prune(now: number): void {
    if (this.#sources.size < 1000) return;
    for (const [source, seen] of this.#sources)
      if (now - seen.loggedAt >= this.#intervalMs) this.#sources.delete(source);
  }
}
