// Single flight: identical concurrent calls (same key) share one in-flight promise or stream, so a thousand
// callers asking the same thing at the same moment cost the cloud one request.

/** Shares one in-flight promise per key; the next call after it settles starts a new one. */
export class SingleFlight {
  readonly #inflight = new Map<string, Promise<unknown>>();
  /** How many calls joined a flight someone else started (metrics, tests). */
  joined = 0;
  started = 0;

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const current = this.#inflight.get(key);
    if (current) {
      this.joined++;
      return current as Promise<T>;
    }
    this.started++;
    const flight = (async () => {
      try {
        return await fn();
      } finally {
        this.#inflight.delete(key);
      }
    })();
    this.#inflight.set(key, flight);
    return flight;
  }

  /** Whether a flight for key is running. */
  has(key: string): boolean {
    return this.#inflight.has(key);
  }

  /**
   * Shares one in-flight stream per key: the first caller starts it, later callers replay what was already
   * read and then follow it. Items are kept until the stream ends, so use it for bounded lists.
   * The source runs to its end even if every reader stops (it is one request's worth of pages).
   */
  stream<T>(key: string, fn: () => AsyncIterable<T>): AsyncIterable<T> {
    let shared = this.#streams.get(key) as SharedStream<T> | undefined;
    if (shared) this.joined++;
    else {
      this.started++;
      shared = new SharedStream<T>(fn(), () => this.#streams.delete(key));
      this.#streams.set(key, shared as SharedStream<unknown>);
    }
    return shared.reader();
  }

  readonly #streams = new Map<string, SharedStream<unknown>>();
}

class SharedStream<T> {
  readonly items: T[] = [];
  done = false;
  error: unknown;
  #wake: (() => void)[] = [];

  constructor(source: AsyncIterable<T>, onEnd: () => void) {
    void (async () => {
      try {
        for await (const item of source) {
          this.items.push(item);
          this.#notify();
        }
      } catch (error) {
        this.error = error ?? new Error('stream failed');
      } finally {
        this.done = true;
        onEnd();
        this.#notify();
      }
    })();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const w of wake) w();
  }

  async *reader(): AsyncGenerator<T> {
    let i = 0;
    for (;;) {
      while (i < this.items.length) yield this.items[i++];
      if (this.done) {
        if (this.error !== undefined) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => this.#wake.push(resolve));
    }
  }
}
