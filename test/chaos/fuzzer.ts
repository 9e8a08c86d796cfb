// The fuzzer: plans request N from (seed, N) alone, sends it to a node of the fleet, and sorts what came back.
// A finding is a hang, an UNKNOWN, an INTERNAL for a request that decoded, or a node that died.
import { type DescMessage, fromBinary } from '@bufbuild/protobuf';
import { Status } from 'nice-grpc-common';
import { contractRpcs, loadRegistry, type Rpc } from './contract.ts';
import { type CallOutcome, type RawFraming, type WireCall, WirePool, wireCall } from './calls.ts';
import type { Fleet } from './fleet.ts';
import { decodes, type GenerateOptions, mutate, randomMessage, type Vocabulary } from './messages.ts';
import { Prng } from './prng.ts';
import { openHandles, rssMiB } from './proc.ts';

export interface FuzzOptions {
  seed: number;
  requests: number;
  concurrency: number;
  /** Only this request (replays one finding). */
  only?: number;
  generate: GenerateOptions;
  /** Raw HTTP/2 framing (bad grpc-timeout, compressed flags, lying lengths); off to fuzz only what grpc-js sends. */
  raw: boolean;
  /** The longest a call may take when neither its deadline nor a cancel bounds it. */
  callCapMs: number;
  /** Time beyond a deadline or a cancel before a call counts as hung. */
  marginMs: number;
  progress?: (done: number) => void;
}

export interface PlannedRequest {
  index: number;
  rpc: Rpc;
  node: string;
  shape: 'random' | 'mutated' | 'garbage' | 'raw-h2';
  /** Whether the message bytes decode as the request type. */
  decoded: boolean;
  extras: string[];
  call: Omit<WireCall, 'address'>;
  patienceMs: number;
}

export interface Finding {
  kind: 'hang' | 'UNKNOWN' | 'INTERNAL';
  request: string;
  outcome: string;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  byCode: Record<string, number>;
  findings: Finding[];
  /** INTERNAL answers to requests that did not decode (expected to be rare, listed apart). */
  internalUndecoded: number;
  crashes: string[];
  nodes: Array<{
    id: string;
    rssBeforeMiB?: number;
    rssAfterMiB?: number;
    fdsBefore?: number;
    fdsAfter?: number;
    health: string;
  }>;
  durationMs: number;
}

const ROUTING_HEADER = 'oaktree-routing-bin';

export function vocabularyOf(clouds: string[]): Vocabulary {
  return {
    clouds: [...clouds, 'no-such-cloud'],
    regions: ['RegionOne', 'RegionTwo', 'RegionNine'],
    names: [
      'cirros-0.6.2-x86_64-disk',
      'm1.tiny',
      'm1.small',
      'default',
      'public',
      'private',
      'fuzz-server',
      'fuzz-key',
      'fuzz-volume',
    ],
  };
}

/** What every plan is made from; request N depends on these and N only. */
export interface PlanContext {
  seed: number;
  rpcs: Rpc[];
  nodes: string[];
  vocab: Vocabulary;
  routingHeader: DescMessage;
  options: FuzzOptions;
}

export function planContext(seed: number, nodes: string[], clouds: string[], options: FuzzOptions): PlanContext {
  const registry = loadRegistry();
  return {
    seed,
    rpcs: contractRpcs(registry),
    nodes,
    vocab: vocabularyOf(clouds),
    routingHeader: registry.getMessage('oaktree.mesh.v1.RoutingHeader')!,
    options,
  };
}

export function planRequest(index: number, context: PlanContext): PlannedRequest {
  const { rpcs, nodes, vocab, options, routingHeader: registry } = context;
  const rng = new Prng(context.seed).fork(index);
  const rpc = rng.pick(rpcs);
  const node = rng.pick(nodes);
  const extras: string[] = [];
  const shape = rng.weighted<PlannedRequest['shape']>([
    [62, 'random'],
    [20, 'mutated'],
    [8, 'garbage'],
    [options.raw ? 10 : 0, 'raw-h2'],
  ]);
  const one = () => {
    if (shape === 'garbage') return rng.bytes(rng.int(1, 256));
    const valid = randomMessage(rpc.input, rng, vocab, options.generate);
    return shape === 'mutated' ? mutate(valid, rng) : valid;
  };
  const messages = rpc.kind === 'client_streaming' ? Array.from({ length: rng.int(0, 4) }, one) : [one()];
  let decoded = messages.every((m) => decodes(rpc.input, m, rpc.decode));

  const metadata: WireCall['metadata'] = [];
  rng.weighted<() => void>([
    [80, () => {}],
    [
      6,
      () => {
        metadata.push([ROUTING_HEADER, Buffer.from(rng.bytes(rng.int(0, 64)))]);
        extras.push('garbage routing header');
      },
    ],
    [
      6,
      () => {
        metadata.push([ROUTING_HEADER, Buffer.from(randomMessage(registry, rng, vocab, options.generate))]);
        extras.push('random routing header');
      },
    ],
    [
      4,
      () => {
        metadata.push(['x-fuzz', 'h'.repeat(rng.int(8 * 1024, 96 * 1024))]);
        extras.push('huge header');
      },
    ],
    [
      4,
      () => {
        for (let i = 0; i < 200; i++) metadata.push([`x-fuzz-${i}`, 'v'.repeat(100)]);
        extras.push('200 headers');
      },
    ],
  ])();
  // Headers over the HTTP/2 limits are refused before any gRPC decoding. They and large messages (whose echo in
  // an error could reset the connection) go on a connection of their own: a finding is then pinned on the request
  // that caused it, not on the fuzzer's other calls that shared its connection.
  // Any metadata past gRPC's 8 KiB default (a random routing header built with the oversized-string budget too).
  const metadataBytes = metadata.reduce((sum, [key, value]) => sum + key.length + value.length, 0);
  const oversizedHeaders = metadataBytes > 8 * 1024;
  if (oversizedHeaders) decoded = false;
  const ownConnection = oversizedHeaders || messages.some((m) => m.length > 16 * 1024);

  let raw: RawFraming | undefined;
  if (shape === 'raw-h2') {
    raw = {
      grpcTimeout: rng.pick([undefined, '0n', '0S', '1m', '5S', 'soon', '-1S', '999999999H']),
      grpcEncoding: rng.pick([undefined, undefined, 'gzip', 'br', 'identity']),
      compressedFlag: rng.pick([0, 0, 0, 1, 2]),
      declaredLength: rng.chance(0.2) ? rng.pick([0, 1, 2 ** 31, 2 ** 32 - 1]) : undefined,
    };
    extras.push(`raw ${JSON.stringify(raw)}`);
  }

  const deadline = rng.weighted<[string, number | undefined]>([
    [25, ['no deadline', undefined]],
    [8, ['deadline 0', 0]],
    [15, ['tiny deadline', rng.int(1, 50)]],
    [45, ['deadline', rng.int(500, 5000)]],
    [7, ['huge deadline', 3_600_000]],
  ]);
  const streaming = rpc.kind !== 'unary';
  let cancelAfterMs: number | undefined;
  let cancelAfterMessages: number | undefined;
  if (streaming && rng.chance(0.3)) cancelAfterMs = rng.int(0, 1500);
  else if (streaming && rng.chance(0.2)) cancelAfterMessages = rng.int(1, 3);
  // Watches and waits may never end by themselves: bound them by a cancel the fuzzer owns.
  const bounded = (deadline[1] !== undefined && deadline[1] < options.callCapMs) || cancelAfterMs !== undefined;
  if (streaming && !bounded) cancelAfterMs = rng.int(1000, 3000);
  if (raw) {
    // Raw calls carry no client deadline, only grpc-timeout: the server must end them on its own. A watch given a
    // long or no timeout legitimately never ends, so those keep the fuzzer's cancel.
    const shortTimeout = raw.grpcTimeout !== undefined && /^0[nS]$|^1m$|^5S$/.test(raw.grpcTimeout);
    if (shortTimeout || !streaming) cancelAfterMs = undefined;
    else cancelAfterMs ??= rng.int(1000, 3000);
    cancelAfterMessages = undefined;
  }
  if (!raw) extras.push(deadline[1] === undefined ? deadline[0] : `${deadline[0]} ${deadline[1]} ms`);
  if (cancelAfterMs !== undefined) extras.push(`cancel after ${cancelAfterMs} ms`);
  if (cancelAfterMessages !== undefined) extras.push(`cancel after ${cancelAfterMessages} messages`);

  const bounds = [options.callCapMs];
  if (!raw && deadline[1] !== undefined) bounds.push(deadline[1] + options.marginMs);
  if (cancelAfterMs !== undefined) bounds.push(cancelAfterMs + options.marginMs);
  return {
    index,
    rpc,
    node,
    shape,
    decoded,
    extras,
    call: {
      path: rpc.path,
      kind: rpc.kind,
      messages,
      metadata,
      deadlineMs: raw ? undefined : deadline[1],
      cancelAfterMs,
      cancelAfterMessages,
      raw,
      ownConnection,
    },
    patienceMs: Math.min(...bounds),
  };
}

/** One line that says what was sent; with the seed it is enough to replay the request (`--only index`). */
export function describe(request: PlannedRequest): string {
  const sizes = request.call.messages.map((m) => m.length).join('+');
  const preview = request.call.messages[0] && request.decoded ? preview1(request) : '';
  return `#${request.index} ${request.node} ${request.rpc.path} ${request.shape}${request.decoded ? '' : ' (undecodable)'} ${sizes} B; ${request.extras.join('; ')}${preview}`;
}

function preview1(request: PlannedRequest): string {
  try {
    const json = JSON.stringify(fromBinary(request.rpc.input, request.call.messages[0]), (_k, v) =>
      typeof v === 'bigint'
        ? v.toString()
        : typeof v === 'string' && v.length > 40
          ? `${v.slice(0, 20)}…(${v.length} chars)`
          : v,
    );
    return ` ${json.length > 300 ? `${json.slice(0, 300)}…` : json}`;
  } catch {
    return '';
  }
}

const codeName = (code: CallOutcome['code']) => (typeof code === 'number' ? (Status[code] ?? `code ${code}`) : code);

export async function fuzz(fleet: Fleet, clouds: string[], options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const context = planContext(
    options.seed,
    fleet.nodes.map((n) => n.id),
    clouds,
    options,
  );
  const before = new Map(fleet.nodes.map((n) => [n.id, { rss: rssMiB(n.pid), fds: openHandles(n.pid) }]));
  const pool = new WirePool();
  const byCode: Record<string, number> = {};
  const findings: Finding[] = [];
  let internalUndecoded = 0;
  let next = options.only ?? 0;
  const last = options.only !== undefined ? options.only + 1 : options.requests;
  let done = 0;
  const worker = async () => {
    while (next < last) {
      if (fleet.nodes.some((n) => n.crashed)) return;
      const request = planRequest(next++, context);
      const outcome = await wireCall(
        pool,
        { ...request.call, address: fleet.node(request.node).address },
        request.patienceMs,
      );
      const name = codeName(outcome.code);
      byCode[name] = (byCode[name] ?? 0) + 1;
      const said = `${name} after ${Math.round(outcome.ms)} ms, ${outcome.responses} responses: ${outcome.details.slice(0, 200)}`;
      if (outcome.code === 'hang') findings.push({ kind: 'hang', request: describe(request), outcome: said });
      else if (outcome.code === Status.UNKNOWN)
        findings.push({ kind: 'UNKNOWN', request: describe(request), outcome: said });
      else if (outcome.code === Status.INTERNAL && request.decoded && !request.call.raw && !outcome.cancelledByClient) {
        findings.push({ kind: 'INTERNAL', request: describe(request), outcome: said });
      } else if (outcome.code === Status.INTERNAL) internalUndecoded++;
      done++;
      options.progress?.(done);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    pool.close();
  }
  const nodes = [];
  for (const node of fleet.nodes) {
    nodes.push({
      id: node.id,
      rssBeforeMiB: before.get(node.id)?.rss,
      rssAfterMiB: rssMiB(node.pid),
      fdsBefore: before.get(node.id)?.fds,
      fdsAfter: openHandles(node.pid),
      health: node.crashed ? 'crashed' : await fleet.health(node.id),
    });
  }
  return {
    seed: options.seed,
    requests: done,
    byCode,
    findings,
    internalUndecoded,
    crashes: fleet.nodes.filter((n) => n.crashed).map((n) => `${n.id}: ${n.crashed}`),
    nodes,
    durationMs: performance.now() - started,
  };
}
