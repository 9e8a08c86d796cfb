// Waiting in tests: on an event with a bound, or, where nothing announces the change, on a polled condition with
// a deadline. Either fails with what it was waiting for instead of hanging until the runner's timeout.
import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves with `promise`, or rejects when it has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `condition` until it returns a truthy value and returns that value; for state that nothing announces
 * (another process, a cloud's REST view). Fails after `timeoutMs` naming `what`.
 */
export async function eventually<T>(
  condition: () => T | Promise<T>,
  what: string,
  { timeoutMs = 10_000, everyMs = 25 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (true) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > until) throw new Error(`${what}: still not true after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}
