// Bridges a callback-style worker (emit as things happen) to an async generator, with cancellation both ways:
// the caller's signal stops the worker, and a consumer that stops reading stops it too.

export async function* streamFrom<T>(
  signal: AbortSignal,
  run: (emit: (item: T) => void, signal: AbortSignal) => Promise<void>,
): AsyncGenerator<T> {
  const inner = new AbortController();
  const onAbort = () => inner.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: { error: unknown } | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  run((item) => {
    queue.push(item);
    notify();
  }, inner.signal).then(
    () => {
      finished = true;
      notify();
    },
    (error) => {
      failure = { error };
      finished = true;
      notify();
    },
  );
  try {
    for (;;) {
      if (queue.length) {
        yield queue.shift() as T;
        continue;
      }
      if (finished) {
        if (failure) throw failure.error;
        return;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!finished) inner.abort(new Error('the consumer stopped reading'));
  }
}
