// Tracing across the mesh: a call through a chain of three nodes (A → B → C, C serving a simulated cloud) with the
// caller's W3C traceparent is one trace holding the spans of all three nodes, exported over OTLP/HTTP to a
// receiver in this test. An OTLP endpoint that is down or never answers neither slows nor fails calls.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Metadata } from 'nice-grpc';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { parseNodeConfig } from '../../../src/node/config.ts';
import { buildBackends, type BuiltBackends } from '../../../src/node/backends.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { createPeerBackend } from '../../../src/backends/peer/peer-backend.ts';
import { NodeTracing } from '../../../src/observability/tracing.ts';
import { createLogger, silentLogger } from '../../../src/observability/logger.ts';
import { clients, collect } from '../../support/node.ts';
import { eventually } from '../../support/wait.ts';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.ts';

const CLOUD = 'sim-traced';
let sim: Simulator;
let dir: string;
let cloudsYaml: string;

before(async () => {
  sim = await startSimulator({ clouds: [{ name: CLOUD, regions: ['RegionOne'], seedServers: 2, seedImages: 1 }] });
  dir = await mkdtemp(join(tmpdir(), 'oaktree-tracing-'));
  cloudsYaml = join(dir, 'clouds.yaml');
  await sim.writeCloudsYaml(cloudsYaml);
});
after(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A chain A → B → C where C serves the cloud; every node traces to `otlpEndpoint`. */
async function startChain(otlpEndpoint: string, logLines?: string[]) {
  const built: BuiltBackends[] = [];
  const nodes: RunningNode[] = [];
  const close = async () => {
    for (const node of nodes.reverse()) await node.close(100);
    for (const b of built) await b.close();
  };
  try {
    let upstream: RunningNode | undefined;
    for (const id of ['node-c', 'node-b', 'node-a']) {
      const tracing = new NodeTracing({ nodeId: id, otlpEndpoint });
      const logger = logLines ? lineLogger(logLines) : silentLogger();
      const config = parseNodeConfig(upstream ? 'clouds: { only: [] }' : `clouds: { file: ${cloudsYaml} }`);
      const backends = await buildBackends(config, id, logger, { tracing });
      built.push(backends);
      const node = await startNode({ nodeId: id, listen: '127.0.0.1:0', backends: backends.backends, logger, tracing });
      nodes.push(node);
      if (upstream)
        await node.addBackend(createPeerBackend({ address: upstream.address, nodeId: id, logger, refreshMs: 200 }));
      upstream = node;
    }
    const api = clients(upstream!.address);
    await eventually(
      async () => (await collect(api.location.listLocations({}))).length === 1,
      'node-a routes to the cloud through b and c',
    );
    return { api, nodes, close: async () => (api.close(), await close()) };
  } catch (error) {
    await close();
    throw error;
  }
}

function lineLogger(lines: string[]) {
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  return createLogger({ level: 'info', destination });
}

describe('tracing across the mesh', { timeout: 90_000 }, () => {
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(async () => {
    await receiver?.close();
  });

  it('a call through three nodes is one trace with the spans of all three, under the caller’s traceparent', async () => {
    const logLines: string[] = [];
    const chain = await startChain(receiver.url, logLines);
    try {
      const traceId = randomBytes(16).toString('hex');
      const callerSpan = randomBytes(8).toString('hex');
      const metadata = Metadata({ traceparent: `00-${traceId}-${callerSpan}-01` });
      const items = await collect(chain.api.compute.listServers({ location: { cloud: CLOUD } }, { metadata }));
      assert.equal(items.filter((i) => i.item?.$case === 'server').length, 2);

      const expected = [
        'node-a oaktree.v1.ComputeService/ListServers',
        'node-a route',
        'node-b oaktree.v1.ComputeService/ListServers',
        'node-b route',
        'node-c oaktree.v1.ComputeService/ListServers',
        'node-c route',
        `node-c backend cloud:${CLOUD}`,
        'node-c GET compute',
      ];
      const ofTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
      await eventually(
        () => expected.every((name) => ofTrace().some((s) => `${s.node} ${s.name}` === name)),
        'spans of all three nodes arrive',
        { timeoutMs: 20_000, everyMs: 100 },
      );
      const spans = ofTrace();
      const names = new Set(spans.map((s) => `${s.node} ${s.name}`));
      assert.ok(
        [...names].some((n) => n.startsWith('node-a hop peer:')),
        `a hop span on node-a: ${[...names]}`,
      );
      assert.ok(
        [...names].some((n) => n.startsWith('node-b hop peer:')),
        'a hop span on node-b',
      );

      // One tree: the first node's call span is the caller's child, each hop parents the next node's call span.
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const root = spans.find((s) => s.node === 'node-a' && s.name.endsWith('/ListServers'))!;
      assert.equal(root.parentSpanId, callerSpan);
      for (const span of spans)
        if (span !== root)
          assert.ok(byId.has(span.parentSpanId), `${span.node} ${span.name} has its parent in the trace`);
      for (const id of ['node-b', 'node-c']) {
        const call = spans.find((s) => s.node === id && s.name.endsWith('/ListServers'))!;
        assert.match(byId.get(call.parentSpanId)!.name, /^hop peer:/, `${id}'s call span hangs under a hop`);
      }
      // Every node's log line about the call carries the trace id.
      for (const id of ['node-a', 'node-b', 'node-c'])
        assert.ok(
          logLines.some((line) => line.includes(`"traceId":"${traceId}"`) && line.includes('"msg":"call"')),
          `${id} logged the call with its trace id`,
        );
    } finally {
      await chain.close();
    }
  });

  for (const mode of ['refused', 'never answering'] as const) {
    it(`an OTLP endpoint that is ${mode} neither slows nor fails calls`, async () => {
      const sink = mode === 'refused' ? undefined : await startOtlpReceiver({ hang: true });
      const chain = await startChain(sink?.url ?? 'http://127.0.0.1:9/v1/traces');
      try {
        const started = performance.now();
        for (let i = 0; i < 20; i++) await collect(chain.api.compute.listFlavors({ location: { cloud: CLOUD } }));
        const perCall = (performance.now() - started) / 20;
        assert.ok(perCall < 500, `${perCall.toFixed(0)} ms per call`);
      } finally {
        const closing = performance.now();
        await chain.close();
        // Shutting down gives the exporter its bounded timeout, never more.
        assert.ok(performance.now() - closing < 20_000);
        await sink?.close();
      }
    });
  }
});
