// Records a server stream as it arrives, so a test can wait for the message it expects instead of sleeping.
export class StreamRecorder<T> {
  readonly messages: T[] = [];
  /** Settles when the stream ends (cancelled or failed streams resolve too: the test asserts on messages). */
  readonly done: Promise<void>;
  /** How the stream ended if it failed (undefined while open, when it completed, or when stop() ended it). */
  error: unknown;
  private readonly controller = new AbortController();
  private readonly waiters = new Set<() => void>();
  private ended = false;

  constructor(open: (signal: AbortSignal) => AsyncIterable<T>) {
    this.done = (async () => {
      try {
        for await (const message of open(this.controller.signal)) {
          this.messages.push(message);
          for (const wake of this.waiters) wake();
        }
      } catch (error) {
        if (!this.controller.signal.aborted) this.error = error; // a stop() is not a failure
      } finally {
        this.ended = true;
        for (const wake of this.waiters) wake();
      }
    })();
  }

  /** Resolves once `condition(messages)` holds; rejects if the stream ends first or `ms` pass. */
  until(condition: (messages: readonly T[]) => boolean, what: string, ms = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`${what}: not within ${ms} ms (${this.messages.length} messages)`)),
        ms,
      );
      const check = () => {
        if (condition(this.messages)) finish();
        else if (this.ended) finish(new Error(`${what}: the stream ended first (${this.messages.length} messages)`));
      };
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      this.waiters.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.done;
  }
}
