// A per-region change log: the current state of every server plus a ring buffer of the last changes, each
// with a monotonically increasing sequence number. Resume tokens point into it; the epoch changes when a log
// is created from nothing, so a token from an earlier log is refused instead of silently skipping changes.
import { randomBytes } from 'node:crypto';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A raw server as the cloud sends it (nova's /servers/detail item). */
export type RawServer = Record<string, unknown>;

export interface Change {
  seq: number;
  type: ChangeType;
  id: string;
  /** The server after the change; for DELETED its last known state. */
  raw: RawServer;
}

/** What a reader gets when asking for changes after a position. */
export type Since = { changes: Change[] } | { expired: string };

export class ChangeLog {
  readonly epoch: string;
  readonly capacity: number;
  #seq: number;
  readonly #ring: (Change | undefined)[];
  readonly #state = new Map<string, RawServer>();
  readonly #fingerprints = new Map<string, string>();
  #wake: (() => void)[] = [];
  /** Whether the state holds a complete list (after the first full poll, or loaded from a leader). */
  primed = false;
  /** When the state was last confirmed against the cloud (epoch ms), by whoever polls. */
  polledAt = 0;
  /** Why the last poll failed; undefined once one succeeds. Readers are woken when it is set. */
  pollFailure: unknown;

  constructor(options: { capacity?: number; epoch?: string; seq?: number } = {}) {
    this.capacity = Math.max(16, options.capacity ?? 10_000);
    this.epoch = options.epoch ?? randomBytes(6).toString('base64url');
    this.#seq = options.seq ?? 0;
    this.#ring = new Array(this.capacity);
  }

  get seq(): number {
    return this.#seq;
  }

  /** The oldest position a reader may resume from (changes after it are all retained). */
  get oldestResumable(): number {
    return Math.max(this.#resetAt, this.#seq - this.capacity);
  }

  get size(): number {
    return this.#state.size;
  }

  get(id: string): RawServer | undefined {
    return this.#state.get(id);
  }

  ids(): IterableIterator<string> {
    return this.#state.keys();
  }

  values(): IterableIterator<RawServer> {
    return this.#state.values();
  }

  /** What a change would be, given the server as the cloud shows it now; undefined when nothing changed. */
  classify(id: string, raw: RawServer): ChangeType | undefined {
    if (isDeleted(raw)) return this.#state.has(id) ? 'DELETED' : undefined;
    if (!this.#state.has(id)) return 'ADDED';
    return this.#fingerprints.get(id) === fingerprint(raw) ? undefined : 'MODIFIED';
  }

  /** Appends one change (the next sequence number, or the one a leader assigned) and updates the state. */
  append(type: ChangeType, id: string, raw: RawServer, seq = this.#seq + 1): Change {
    if (seq !== this.#seq + 1) throw new Error(`change log ${this.epoch}: expected seq ${this.#seq + 1}, got ${seq}`);
    this.#seq = seq;
    const change: Change = { seq, type, id, raw };
    this.#ring[seq % this.capacity] = change;
    if (type === 'DELETED') {
      this.#state.delete(id);
      this.#fingerprints.delete(id);
    } else {
      this.#state.set(id, raw);
      this.#fingerprints.set(id, fingerprint(raw));
    }
    return change;
  }

  /** Loads a state without logging changes (a follower joining a leader, a snapshot). */
  load(state: Iterable<[string, RawServer]>, history: Iterable<Change> = []): void {
    for (const [id, raw] of state) {
      this.#state.set(id, raw);
      this.#fingerprints.set(id, fingerprint(raw));
    }
    for (const change of history) {
      if (change.seq > this.#seq - this.capacity && change.seq <= this.#seq)
        this.#ring[change.seq % this.capacity] = change;
    }
    this.primed = true;
  }

  /**
   * Jumps to a later state (a replica that missed changes no longer kept upstream): positions before `seq`
   * become unresumable, readers there get OUT_OF_RANGE and start over.
   */
  reset(seq: number, state: Iterable<[string, RawServer]>): void {
    this.#state.clear();
    this.#fingerprints.clear();
    this.#ring.fill(undefined);
    this.#seq = seq;
    this.load(state);
    this.#resetAt = seq;
  }

  #resetAt = 0;

  /** Changes after position `after`, or why they cannot be given. */
  since(after: number): Since {
    if (after > this.#seq)
      return { expired: `the token is ahead of this change log (position ${after}, log at ${this.#seq})` };
    if (after < this.oldestResumable) {
      return {
        expired: `the token is too old: the change log keeps the last ${this.capacity} changes (position ${after}, oldest resumable ${this.oldestResumable})`,
      };
    }
    const out: Change[] = [];
    for (let seq = after + 1; seq <= this.#seq; seq++) {
      const change = this.#ring[seq % this.capacity];
      if (!change || change.seq !== seq) return { expired: `change ${seq} is no longer retained` };
      out.push(change);
    }
    return { changes: out };
  }

  /** Wakes every reader waiting in changed(). */
  notify(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const w of wake) w();
  }

  /** Resolves at the next notify(), or when the signal fires or timeoutMs passes. */
  changed(signal: AbortSignal, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.#wake.push(done);
    });
  }
}

/** Nova shows deleted servers in changes-since answers with status DELETED (or SOFT_DELETED). */
export function isDeleted(raw: RawServer): boolean {
  const status = String(raw.status ?? '').toUpperCase();
  return status === 'DELETED' || status === 'SOFT_DELETED';
}

/** Identity of a server's content: the same fingerprint twice (poll overlap) is not a change. */
export function fingerprint(raw: RawServer): string {
  return stableJson(raw);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value as object).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
