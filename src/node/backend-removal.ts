// Ends the calls a removed backend is serving: when a reload takes a cloud or a peer away, its open streams (and
// calls still waiting) end at once with UNAVAILABLE and a message saying why, instead of hanging on a backend
// that is closing. Calls to other backends are untouched.
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import type { Backend } from '../backends/backend.ts';

export class BackendRemovals {
  readonly #removed = new WeakMap<Backend, { promise: Promise<never>; reject: (error: Error) => void }>();

  #removal(backend: Backend): Promise<never> {
    let entry = this.#removed.get(backend);
    if (!entry) {
      let reject!: (error: Error) => void;
      const promise = new Promise<never>((_, r) => {
        reject = r;
      });
      promise.catch(() => {}); // observed by the calls racing it; none may be running
      entry = { promise, reject };
      this.#removed.set(backend, entry);
    }
    return entry.promise;
  }

  /** Ends every call of `backend` with UNAVAILABLE: `message`. */
  remove(backend: Backend, message: string): void {
    this.#removal(backend);
    this.#removed.get(backend)!.reject(new ServerError(Status.UNAVAILABLE, message));
  }

  promise<T>(backend: Backend, call: Promise<T>): Promise<T> {
    return Promise.race([call, this.#removal(backend)]);
  }

  async *stream<T>(backend: Backend, source: AsyncIterable<T>): AsyncGenerator<T> {
    const removal = this.#removal(backend);
    const iterator = source[Symbol.asyncIterator]();
    let done = false;
    try {
      while (true) {
        const step = await Promise.race([iterator.next(), removal]);
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
