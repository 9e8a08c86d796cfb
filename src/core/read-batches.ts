// An object-mode stream read in batches. Its async iterator hands out one message per step, and a step through
// every layer between a peer's stream and the caller costs the same whether it carries one message or fifty:
// taking everything the stream has buffered at once makes a relay pay those layers per batch.
import { finished, type Readable } from 'node:stream';

/**
 * Yields the messages `stream` has buffered, as one array, each time it has some; ends when the stream ends and
 * throws its error when it fails (messages still buffered then are dropped, as the stream's own iterator does).
 * The stream is read only as fast as the batches are taken, so its backpressure holds.
 */
export async function* readBatches<T>(stream: Readable): AsyncGenerator<T[]> {
  let wake = () => {};
  // undefined while the stream is open; null once it ended cleanly; its error when it failed.
  let outcome: Error | null | undefined;
  const onReadable = () => wake();
  stream.on('readable', onReadable);
  const stopWatching = finished(stream, { writable: false }, (error) => {
    outcome = error ?? null;
    wake();
  });
  try {
    for (;;) {
      // What is buffered now, no more: a stream that refills itself as it is read would otherwise never let go.
      // At least one read() even when nothing is buffered: that is how the stream notices its end and knows to say
      // 'readable' again.
      const batch: T[] = [];
      let left = stream.readableLength;
      do {
        const message: unknown = stream.destroyed ? null : stream.read();
        if (message === null) break;
        batch.push(message as T);
      } while (--left > 0);
      if (batch.length) {
        yield batch;
        continue;
      }
      if (outcome) throw outcome;
      if (outcome === null) return;
      await new Promise<void>((resolve) => (wake = resolve));
      // grpc-js hands a stream the messages of one HTTP/2 read one per microtask: the rest of them are there
      // before the event loop's next turn, and go in the same batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    stream.off('readable', onReadable);
    stopWatching();
  }
}
