// Ends the calls a removed backend is serving: when a reload takes a cloud or a peer away, its open streams (and
// calls still waiting) end at once with UNAVAILABLE and a message saying why, instead of hanging on a backend
// that is closing. Calls to other backends are untouched. Each call registers one listener for its lifetime;
// nothing waits on a long-lived promise (racing one per stream step would keep every streamed chunk alive).
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import type { Backend } from '../backends/backend.ts';

interface Calls {
  removed?: Error;
  listeners: Set<(error: Error) => void>;
}

export class BackendRemovals {
  readonly #calls = new WeakMap<Backend, Calls>();

  #of(backend: Backend): Calls {
    let calls = this.#calls.get(backend);
    if (!calls) {
      calls = { listeners: new Set() };
      this.#calls.set(backend, calls);
    }
    return calls;
  }

  /** Ends every call of `backend` with UNAVAILABLE: `message`. */
  remove(backend: Backend, message: string): void {
    const calls = this.#of(backend);
    calls.removed = new ServerError(Status.UNAVAILABLE, message);
    for (const listener of calls.listeners) listener(calls.removed);
  }

  /** `work`, or the removal's error if the backend is removed first. */
  #settle<T>(calls: Calls, work: () => Promise<T>): Promise<T> {
    if (calls.removed) return Promise.reject(calls.removed);
    return new Promise<T>((resolve, reject) => {
      const listener = (error: Error) => reject(error);
      calls.listeners.add(listener);
      work()
        .then(resolve, reject)
        .finally(() => calls.listeners.delete(listener));
    });
  }

  promise<T>(backend: Backend, call: Promise<T>): Promise<T> {
    return this.#settle(this.#of(backend), () => call);
  }

  async *stream<T>(backend: Backend, source: AsyncIterable<T>): AsyncGenerator<T> {
    const calls = this.#of(backend);
    const iterator = source[Symbol.asyncIterator]();
    let done = false;
    try {
      while (true) {
        const step = await this.#settle(calls, () => iterator.next());
        if (step.done) {
          done = true;
          return;
        }
        yield step.value;
      }
    } finally {
      // A removed backend's stream may never answer again: let it end in the background.
      if (!done) void Promise.resolve(iterator.return?.()).catch(() => {});
    }
  }
}
