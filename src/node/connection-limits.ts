// Bounds on the node's client connections, so idle or hostile connections cannot use up the process's file
// handles and take health and every call down with them.
//
// Every accepted socket is counted per source address and in total. When a new connection would pass a limit,
// the connection idle the longest (no call in flight) is closed to make room: from the same source when that
// source is at its own limit, from any source when the total is reached. Only when every counted connection has
// a call in flight is the newcomer refused. So a flood of idle connections only churns its own connections,
// clients with calls in flight keep them, and a fresh client (a health probe) still gets in.
// A connection that sends no byte within the handshake timeout is closed; grpc-js closes a connection without a
// call for the idle timeout (`grpc.max_connection_idle_ms`, a GOAWAY). What happened is logged once per source
// per interval, with counts.
import type { Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../observability/logger.ts';

export interface ConnectionLimits {
  /** Connections held at once, all sources together. */
  maxTotal: number;
  /** Connections held at once from one source address. */
  maxPerSource: number;
  /** A connection without a call in flight for this long is closed (GOAWAY). */
  idleTimeoutMs: number;
  /** A connection that sends no byte for this long after it was accepted is closed. */
  handshakeTimeoutMs: number;
  /** At most one log line per source per interval (the first event at once, then the counts). */
  logIntervalMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxTotal: 10_000,
  maxPerSource: 1_000,
  idleTimeoutMs: 300_000,
  handshakeTimeoutMs: 10_000,
  logIntervalMs: 60_000,
};

type Outcome = 'refused' | 'evicted' | 'closedIdle' | 'closedSilent';

interface Connection {
  socket: Socket;
  /** peerKey of the socket, kept: a closed socket no longer knows its address. */
  key: string;
  source: string;
  activeCalls: number;
  /** When it last had no call in flight (accept time, or the end of its last call). */
  idleSince: number;
  evicted: boolean;
  handshakeTimer: NodeJS.Timeout;
}

interface LogWindow {
  counts: Partial<Record<Outcome, number>>;
  timer: NodeJS.Timeout;
}

/** The address a limit applies to: IPv4 clients on a dual-stack socket count as their IPv4 address. */
function sourceOf(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** grpc-js names a call's peer `address:port` from the same socket, so calls find their connection by it. */
const peerKey = (address: string | undefined, port: number | undefined) => `${address}:${port}`;

export class ConnectionGuard {
  readonly limits: ConnectionLimits;
  readonly #logger: Logger;
  readonly #byPeer = new Map<string, Connection>();
  readonly #bySource = new Map<string, Set<Connection>>();
  readonly #logWindows = new Map<string, LogWindow>();

  constructor(limits: Partial<ConnectionLimits>, logger: Logger) {
    this.limits = { ...DEFAULT_CONNECTION_LIMITS, ...limits };
    this.#logger = logger;
  }

  /** Open connections, all sources together. */
  get total(): number {
    return this.#byPeer.size;
  }

  /** Decides on a new socket: true when it is counted and may be handed to the gRPC server; false when destroyed. */
  admit(socket: Socket): boolean {
    const source = sourceOf(socket.remoteAddress);
    const fromSource = this.#bySource.get(source);
    const sourceFull = (fromSource?.size ?? 0) >= this.limits.maxPerSource;
    if (sourceFull || this.total >= this.limits.maxTotal) {
      const victim = this.#longestIdle(sourceFull ? fromSource!.values() : this.#byPeer.values());
      if (!victim) {
        socket.destroy();
        this.#record(source, 'refused');
        return false;
      }
      victim.evicted = true;
      this.#forget(victim);
      victim.socket.destroy();
      this.#record(victim.source, 'evicted');
    }

    const key = peerKey(socket.remoteAddress, socket.remotePort);
    const connection: Connection = {
      socket,
      key,
      source,
      activeCalls: 0,
      idleSince: Date.now(),
      evicted: false,
      handshakeTimer: setTimeout(() => {
        if (socket.bytesRead > 0) return;
        this.#record(source, 'closedSilent');
        socket.destroy();
      }, this.limits.handshakeTimeoutMs).unref(),
    };
    this.#byPeer.set(key, connection);
    if (fromSource) fromSource.add(connection);
    else this.#bySource.set(source, new Set([connection]));
    socket.once('close', () => {
      if (this.#byPeer.get(key) !== connection) return; // evicted: already forgotten and logged
      this.#forget(connection);
      // Nothing closes a connection idle this long but the node's idle timeout: a client would have sent a call.
      const idleFor = Date.now() - connection.idleSince;
      if (connection.activeCalls === 0 && idleFor >= this.limits.idleTimeoutMs) this.#record(source, 'closedIdle');
    });
    return true;
  }

  /** Counts each call against its connection, so a connection with a call in flight is never the one closed. */
  readonly interceptor: grpc.ServerInterceptor = (_descriptor, call) => {
    const connection = this.#byPeer.get(call.getPeer());
    if (!connection) return new grpc.ServerInterceptingCall(call);
    connection.activeCalls += 1;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      connection.activeCalls -= 1;
      if (connection.activeCalls === 0) connection.idleSince = Date.now();
    };
    return new grpc.ServerInterceptingCall(call, {
      start(next) {
        next(new grpc.ServerListenerBuilder().withOnCancel(end).build());
      },
      sendStatus(status, next) {
        end();
        next(status);
      },
    });
  };

  /** Accepting failed (out of file handles): logged like a refusal, so a flood is visible. */
  acceptFailed(error: Error): void {
    this.#record(`accept: ${(error as NodeJS.ErrnoException).code ?? error.message}`, 'refused');
  }

  close(): void {
    for (const window of this.#logWindows.values()) clearTimeout(window.timer);
    this.#logWindows.clear();
    for (const connection of this.#byPeer.values()) clearTimeout(connection.handshakeTimer);
  }

  #longestIdle(candidates: Iterable<Connection>): Connection | undefined {
    let best: Connection | undefined;
    for (const candidate of candidates) {
      if (candidate.activeCalls === 0 && (!best || candidate.idleSince < best.idleSince)) best = candidate;
    }
    return best;
  }

  #forget(connection: Connection): void {
    clearTimeout(connection.handshakeTimer);
    this.#byPeer.delete(connection.key);
    const fromSource = this.#bySource.get(connection.source);
    fromSource?.delete(connection);
    if (fromSource?.size === 0) this.#bySource.delete(connection.source);
  }

  /** The first event from a source is logged at once; the rest of its interval is counted and logged at the end. */
  #record(source: string, outcome: Outcome): void {
    const window = this.#logWindows.get(source);
    if (window) {
      window.counts[outcome] = (window.counts[outcome] ?? 0) + 1;
      return;
    }
    this.#log(source, { [outcome]: 1 });
    const open = (): LogWindow => {
      const next: LogWindow = {
        counts: {},
        timer: setTimeout(() => {
          if (Object.keys(next.counts).length === 0) {
            this.#logWindows.delete(source);
            return;
          }
          this.#log(source, next.counts);
          this.#logWindows.set(source, open());
        }, this.limits.logIntervalMs).unref(),
      };
      return next;
    };
    this.#logWindows.set(source, open());
  }

  #log(source: string, counts: Partial<Record<Outcome, number>>): void {
    this.#logger.warn(
      {
        source,
        ...counts,
        open: this.total,
        fromSource: this.#bySource.get(source)?.size ?? 0,
        maxTotal: this.limits.maxTotal,
        maxPerSource: this.limits.maxPerSource,
        intervalMs: this.limits.logIntervalMs,
      },
      'client connections closed or refused (connection limits, idle or handshake timeout)',
    );
  }
}
