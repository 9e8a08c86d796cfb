// One Redis connection for commands and one for pub/sub, with raw commands so the rest of the code does not
// depend on a client library's typings (npm `redis`).
import { createClient } from 'redis';

type Client = ReturnType<typeof createClient>;

export interface RedisConnection {
  readonly url: string;
  /** Sends one command, e.g. ['SET', key, value, 'PX', '1000', 'NX']. */
  cmd(args: (string | number)[]): Promise<unknown>;
  /** Runs commands in MULTI/EXEC (atomic) and returns their replies. */
  multi(commands: (string | number)[][]): Promise<unknown[]>;
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export async function connectRedis(url: string, onError?: (error: Error) => void): Promise<RedisConnection> {
  const client: Client = createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(retries * 100, 2_000) } });
  client.on('error', (error: Error) => onError?.(error));
  await client.connect();
  let subscriber: Client | undefined;
  const str = (args: (string | number)[]) => args.map(String);
  return {
    url,
    cmd: (args) => client.sendCommand(str(args)) as Promise<unknown>,
    async multi(commands) {
      const m = client.multi();
      for (const c of commands) m.addCommand(str(c));
      return (await m.exec()) as unknown[];
    },
    async subscribe(channel, listener) {
      if (!subscriber) {
        subscriber = client.duplicate();
        subscriber.on('error', (error: Error) => onError?.(error));
        await subscriber.connect();
      }
      const sub = subscriber;
      const l = (message: string) => listener(message);
      await sub.subscribe(channel, l);
      return async () => {
        await sub.unsubscribe(channel, l).catch(() => {});
      };
    },
    async close() {
      await Promise.allSettled([client.close(), subscriber?.close()]);
    },
  };
}
