// OpenTelemetry's active context carried through async code with AsyncLocalStorage (the job of
// @opentelemetry/context-async-hooks, which this project does not ship). Registered once per process: the
// context belongs to each async chain, so nodes in one process stay apart; their tracers are their own.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, context, type Context, type ContextManager } from '@opentelemetry/api';

class AsyncLocalContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(ctx, () => fn.apply(thisArg, args));
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (...args: unknown[]) => this.with(ctx, target as (...a: unknown[]) => unknown, undefined, ...args);
    return run as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.#storage.disable();
    return this;
  }
}

let registered = false;

/** Makes `context.active()` follow async calls (idempotent). */
export function enableContextPropagation(): void {
  if (registered) return;
  registered = context.setGlobalContextManager(new AsyncLocalContextManager());
}

/**
 * Runs every step of an async iterable inside `ctx`: a generator's body runs when its consumer calls next(), so
 * without this its work would belong to the consumer's context, not to the span it was started under.
 */
export async function* withContext<T, R>(ctx: Context, source: AsyncIterable<T, R>): AsyncGenerator<T, R> {
  const iterator = context.with(ctx, () => source[Symbol.asyncIterator]());
  let finished = false;
  try {
    while (true) {
      const step = await context.with(ctx, () => iterator.next());
      if (step.done) {
        finished = true;
        return step.value;
      }
      yield step.value;
    }
  } finally {
    if (!finished) await context.with(ctx, async () => iterator.return?.());
  }
}
