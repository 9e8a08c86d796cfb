// One Redis connection for commands and one for pub/sub, with raw commands so the rest of the code does not
// depend on a client library's typings (npm `redis`). URLs: redis://[:PASSWORD@]host:port, rediss:// (TLS, trusting
// the system CAs and NODE_EXTRA_CA_CERTS), unix://[:PASSWORD@]/path/to/socket.
import { createClient } from 'redis';
import { credentialsProblem, redactRedisUrl } from './url.ts';

type Client = ReturnType<typeof createClient>;

export interface RedisConnection {
  /** The URL with its password masked: safe to log. */
  readonly url: string;
  /** Connected and able to answer now (false while it reconnects: commands would queue until it is back). */
  readonly ready: boolean;
  /** Sends one command, e.g. ['SET', key, value, 'PX', '1000', 'NX']. */
  cmd(args: (string | number)[]): Promise<unknown>;
  /** Runs commands in MULTI/EXEC (atomic) and returns their replies. */
  multi(commands: (string | number)[][]): Promise<unknown[]>;
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export async function connectRedis(url: string, onError?: (error: Error) => void): Promise<RedisConnection> {
  const safeUrl = redactRedisUrl(url);
  let ready = false;
  let client: Client;
  try {
    client = createClient({
      url,
      // The maintenance handshake (Redis Enterprise only) re-parses the URL and fails on a unix:// URL with a password.
      maintNotifications: 'disabled',
      socket: {
        // A refused password will not fix itself: at start-up it fails the start instead of retrying for ever.
        reconnectStrategy: (retries, cause) =>
          !ready && credentialsProblem(cause) ? cause : Math.min(retries * 100, 2_000),
      },
    });
    client.on('error', (error: Error) => onError?.(error));
    await client.connect();
  } catch (error) {
    const why = credentialsProblem(error) ?? (error as Error).message;
    throw new Error(`cannot connect to Redis at ${safeUrl}: ${why}`);
  }
  ready = true;
  let subscriber: Client | undefined;
  const str = (args: (string | number)[]) => args.map(String);
  return {
    url: safeUrl,
    get ready() {
      return client.isReady;
    },
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
