// Splits one async stream into several branches with backpressure: the source is read only when every live
// branch has room, so memory stays bounded (branches × highWaterMark items) however long the stream is.
// A branch whose consumer stops early (or fails) is detached; the others go on.

interface Branch<T> {
  queue: T[];
  done: boolean;
  detached: boolean;
  wake?: () => void;
}

export function teeStream<T>(source: AsyncIterable<T>, count: number, highWaterMark = 4): AsyncIterable<T>[] {
  const iterator = source[Symbol.asyncIterator]();
  const branches: Branch<T>[] = Array.from({ length: count }, () => ({ queue: [], done: false, detached: false }));
  let failure: { error: unknown } | undefined;
  let pumping: Promise<void> | undefined;
  const roomWaiters: Array<() => void> = [];

  const live = () => branches.filter((b) => !b.detached);
  const hasRoom = () => live().every((b) => b.queue.length < highWaterMark);
  const wakeAll = () => branches.forEach((b) => b.wake?.());

  // One reader of the source at a time; it waits for room before each read.
  const pump = async () => {
    while (live().length > 0) {
      if (!hasRoom()) {
        await new Promise<void>((resolve) => roomWaiters.push(resolve));
        continue;
      }
      let next: IteratorResult<T>;
      try {
        next = await iterator.next();
      } catch (error) {
        failure = { error };
        wakeAll();
        return;
      }
      if (next.done) {
        branches.forEach((b) => (b.done = true));
        wakeAll();
        return;
      }
      for (const branch of live()) branch.queue.push(next.value);
      wakeAll();
    }
    await iterator.return?.();
  };
  const ensurePump = () => (pumping ??= pump());
  const freedRoom = () => {
    if (hasRoom()) roomWaiters.splice(0).forEach((resolve) => resolve());
  };

  return branches.map((branch) => ({
    [Symbol.asyncIterator](): AsyncIterator<T> {
      ensurePump();
      return {
        async next(): Promise<IteratorResult<T>> {
          while (true) {
            if (branch.queue.length > 0) {
              const value = branch.queue.shift()!;
              freedRoom();
              return { value, done: false };
            }
            if (failure) throw failure.error;
            if (branch.done || branch.detached) return { value: undefined, done: true };
            await new Promise<void>((resolve) => (branch.wake = resolve));
            branch.wake = undefined;
          }
        },
        async return(): Promise<IteratorResult<T>> {
          branch.detached = true;
          branch.queue.length = 0;
          freedRoom();
          return { value: undefined, done: true };
        },
      };
    },
  }));
}
