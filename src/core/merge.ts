// Merges async streams as items arrive: the first item from a fast source never waits for a slow one.
// Each source has at most one pending next(), so a slow consumer holds every source back (backpressure).

/**
 * Yields items from every source in arrival order. When the consumer stops early, every source is told to
 * return; callers should also abort the sources' signal, since a source blocked on I/O only returns once that
 * I/O ends. A source that throws makes the merge throw (after the other sources are told to return).
 */
export function mergeStreams<T>(sources: readonly AsyncIterable<T>[]): AsyncIterable<T> {
  // One source (one backend, one location: the usual call) is its own merge; no race per item.
  return sources.length === 1 ? sources[0] : mergeSeveral(sources);
}

async function* mergeSeveral<T>(sources: readonly AsyncIterable<T>[]): AsyncGenerator<T> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<T> }>>();
  const pull = (index: number) => {
    const promise = iterators[index].next().then((result) => ({ index, result }));
    promise.catch(() => {}); // observed through Promise.race; avoid an unhandled rejection if abandoned
    pending.set(index, promise);
  };
  iterators.forEach((_, index) => pull(index));
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(index);
        continue;
      }
      pull(index);
      yield result.value;
    }
  } finally {
    for (const index of pending.keys()) {
      iterators[index].return?.()?.catch(() => {});
    }
  }
}
