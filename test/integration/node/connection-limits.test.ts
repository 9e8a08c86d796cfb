// Issue 22, defect 7: idle connections must not take the node down. A node with small limits, flooded with raw
// idle HTTP/2 connections from one source: clients with calls in flight keep them, a fresh client still gets
// health, the idle ones are closed (to make room, then by the idle timeout), and the log says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { once } from 'node:events';
import { pino } from 'pino';
import { createChannel, createClient, Status } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { startNode } from '../../../src/node/server.ts';
import type { ConnectionLimits } from '../../../src/node/connection-limits.ts';
import { eventually, within } from '../../support/wait.ts';

const SERVING = 1;

interface LogLine {
  msg: string;
  source?: string;
  evicted?: number;
  refused?: number;
  closedIdle?: number;
  closedSilent?: number;
}

function capturingLogger() {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const total = (field: 'evicted' | 'refused' | 'closedIdle' | 'closedSilent') =>
    lines.filter((line) => line.source === '127.0.0.1').reduce((sum, line) => sum + (line[field] ?? 0), 0);
  return { logger, lines, total };
}

async function nodeWith(limits: Partial<ConnectionLimits>) {
  const log = capturingLogger();
  const node = await startNode({
    nodeId: 'limits',
    listen: '127.0.0.1:0',
    backends: [],
    logger: log.logger,
    connections: limits,
  });
  return { node, log };
}

function healthClient(address: string) {
  // Its own connection: grpc-js channels to one address otherwise share one.
  const channel = createChannel(address, undefined, { 'grpc.use_local_subchannel_pool': 1 });
  return { channel, health: createClient(HealthDefinition, channel) };
}

/** A health watch that stays open: a call in flight on its client's connection. */
async function openWatch(health: ReturnType<typeof healthClient>['health'], signal: AbortSignal) {
  const state = { ended: false, error: undefined as unknown };
  const stream = health.watch({ service: '' }, { signal })[Symbol.asyncIterator]();
  const first = await within(stream.next(), 5_000, 'first health watch message');
  assert.equal(first.value?.status, SERVING);
  const rest = (async () => {
    try {
      while (!(await stream.next()).done);
    } catch (error) {
      state.error = error;
    }
    state.ended = true;
  })();
  return { state, rest };
}

test('idle connections beyond the limits are closed, active clients keep theirs, health answers, the log says so', {
  timeout: 60_000,
}, async () => {
  const { node, log } = await nodeWith({ maxTotal: 50, maxPerSource: 40, idleTimeoutMs: 1_500, logIntervalMs: 200 });
  const active = healthClient(node.address);
  const stopWatch = new AbortController();
  const sessions: ClientHttp2Session[] = [];
  let closed = 0;
  try {
    const watch = await openWatch(active.health, stopWatch.signal);

    for (let i = 0; i < 200; i++) {
      const session = http2Connect(`http://${node.address}`);
      session.on('error', () => {}); // reset by the node: counted by 'close'
      session.on('close', () => void closed++);
      sessions.push(session);
      // One at a time, as an attacker's connect loop would: each must be accepted before the next arrives.
      await Promise.race([once(session, 'connect'), once(session, 'close')]);
    }
    // 40 per source: the active client's connection and the 39 newest idle ones stay, the rest made room.
    await eventually(() => closed >= 161, `161 idle sessions closed to make room (closed ${closed})`);
    await eventually(
      () => log.total('evicted') === closed,
      `every eviction logged (${log.total('evicted')} of ${closed})`,
    );

    const fresh = healthClient(node.address);
    try {
      const answer = await within(
        fresh.health.check({ service: '' }),
        5_000,
        'health from a fresh client during the flood',
      );
      assert.equal(answer.status, SERVING);
    } finally {
      fresh.channel.close();
    }
    assert.equal(watch.state.ended, false, `the active client's watch was cut: ${watch.state.error}`);
    const again = await within(active.health.check({ service: '' }), 5_000, 'health on the active client');
    assert.equal(again.status, SERVING);

    // The survivors are idle: the idle timeout closes them, and the log counts them.
    await eventually(() => closed === 200, `every idle session closed by the idle timeout (closed ${closed})`, {
      timeoutMs: 10_000,
    });
    // Each of the 200 was either closed to make room (the fresh client took one more) or by the idle timeout.
    await eventually(() => log.total('evicted') + log.total('closedIdle') === 200, 'every close logged', {
      timeoutMs: 5_000,
    });
    assert.ok(log.total('closedIdle') >= 30, `idle closes logged: ${log.total('closedIdle')}`);
    assert.equal(watch.state.ended, false, 'a connection with a call in flight is not idle');
    // Rate-limited: a line per source per interval, not one per connection.
    assert.ok(log.lines.filter((line) => line.source === '127.0.0.1').length < 40, 'one log line per connection');
  } finally {
    stopWatch.abort();
    for (const session of sessions) session.destroy();
    active.channel.close();
    await node.close(1_000);
  }
});

test('when every connection has a call in flight a newcomer is refused (UNAVAILABLE) and logged, and nobody is cut', {
  timeout: 30_000,
}, async () => {
  const { node, log } = await nodeWith({ maxTotal: 2, maxPerSource: 2, logIntervalMs: 200 });
  const stop = new AbortController();
  const clients = [healthClient(node.address), healthClient(node.address)];
  const third = healthClient(node.address);
  try {
    const watches = await Promise.all(clients.map((client) => openWatch(client.health, stop.signal)));
    await assert.rejects(
      within(third.health.check({ service: '' }), 10_000, 'refused check'),
      (error: { code?: Status }) => error.code === Status.UNAVAILABLE,
    );
    await eventually(() => log.total('refused') >= 1, 'the refusal logged');
    for (const watch of watches) assert.equal(watch.state.ended, false, 'an active client was cut for a newcomer');
  } finally {
    stop.abort();
    for (const client of [...clients, third]) client.channel.close();
    await node.close(1_000);
  }
});

test('a connection that never sends a byte is closed after the handshake timeout', { timeout: 30_000 }, async () => {
  const { node, log } = await nodeWith({ handshakeTimeoutMs: 300, logIntervalMs: 200 });
  const socket = netConnect(node.port, '127.0.0.1');
  socket.on('error', () => {});
  socket.resume(); // reads the node's SETTINGS, so the close is seen
  try {
    await within(once(socket, 'close'), 5_000, 'silent connection closed');
    await eventually(() => log.total('closedSilent') === 1, 'the silent connection logged');
  } finally {
    socket.destroy();
    await node.close(1_000);
  }
});
