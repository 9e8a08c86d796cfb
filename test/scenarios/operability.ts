// Operability scenarios, the same on the simulator and on a real cloud: a node with metrics, tracing (spans kept
// in memory) and a rate limit on the cloud under test answers read-only calls; what it measured, traced and
// paced must hold for any OpenStack. Nothing is created, so nothing is left behind on a shared cloud.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Metadata } from 'nice-grpc';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createOpenStackBackend } from '../../src/backends/openstack/backend.ts';
import { CloudLimiter } from '../../src/backends/openstack/transport/limits.ts';
import { loadCloudsConfig } from '../../src/config/clouds/index.ts';
import { startNode, type RunningNode } from '../../src/node/server.ts';
import { NodeMetrics } from '../../src/observability/metrics.ts';
import { NodeTracing } from '../../src/observability/tracing.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { clients, collect } from '../support/node.ts';
import type { ScenarioTarget } from './target.ts';

const RATE = 8;

/** The value of one series in the node's metrics (0 when absent). */
async function value(metrics: NodeMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

export function defineOperabilityScenarios(label: string, target: () => ScenarioTarget) {
  describe(`operability scenarios on ${label}`, { concurrency: false, timeout: 120_000 }, () => {
    let node: RunningNode;
    let api: ReturnType<typeof clients>;
    let metrics: NodeMetrics;
    let exporter: InMemorySpanExporter;
    let tracing: NodeTracing;
    let t: ScenarioTarget;

    before(async () => {
      t = target();
      const cloud = (await loadCloudsConfig({ file: t.cloudsYaml, env: {} })).clouds.find((c) => c.name === t.cloud)!;
      metrics = new NodeMetrics({ nodeId: `ops-${t.label}` });
      exporter = new InMemorySpanExporter();
      tracing = new NodeTracing({ nodeId: `ops-${t.label}`, exporter });
      const limiter = new CloudLimiter(t.cloud, { rate: RATE });
      const logger = silentLogger();
      node = await startNode({
        nodeId: `ops-${t.label}`,
        listen: '127.0.0.1:0',
        backends: [
          createOpenStackBackend(cloud, {
            logger,
            session: { observer: metrics, limiter, tracer: tracing.tracer },
          }),
        ],
        logger,
        metrics,
        tracing,
      });
      api = clients(node.address);
    });
    after(async () => {
      api?.close();
      await node?.close(100);
    });

    test('upstream requests are counted by cloud, region, service and status, with no ids in the labels', async () => {
      const flavors = await collect(api.compute.listFlavors({ location: t.where, strict: true }));
      const servers = await collect(api.compute.listServers({ location: t.where, strict: true }));
      assert.ok(flavors.length > 0);
      const where = { cloud: t.cloud, region: t.region };
      assert.ok(
        (await value(metrics, 'oaktree_upstream_requests_total', { ...where, service: 'compute', status: '200' })) >= 2,
      );
      assert.ok(
        (await value(metrics, 'oaktree_upstream_requests_total', {
          cloud: t.cloud,
          service: 'identity',
          method: 'POST',
          status: '201',
        })) >= 1,
        'the token request',
      );
      const exposition = (await metrics.exposition()).body;
      for (const item of [...flavors, ...servers]) {
        const id = item.item?.$case === 'flavor' || item.item?.$case === 'server' ? item.item.value.id : undefined;
        if (id && id.length >= 8) assert.ok(!exposition.includes(id), `object id ${id} in the metrics`);
      }
    });

    test('one call is one trace: the call span, its backend span and a span per HTTP request, all answered 200', async () => {
      const traceId = randomBytes(16).toString('hex');
      const metadata = Metadata({ traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
      await collect(api.compute.listFlavors({ location: t.where, strict: true, fresh: true }, { metadata }));
      await tracing.flush();
      const spans: ReadableSpan[] = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      const names = spans.map((s) => s.name);
      assert.ok(names.includes('oaktree.v1.ComputeService/ListFlavors'), names.join(', '));
      assert.ok(names.includes(`backend cloud:${t.cloud}`), names.join(', '));
      const http = spans.filter((s) => s.name === 'GET compute');
      assert.ok(http.length >= 1, names.join(', '));
      for (const span of http) assert.equal(span.attributes['http.response.status_code'], 200);
    });

    test(`a rate of ${RATE} req/s holds: no second holds more than ${RATE} requests to the cloud`, async () => {
      exporter.reset();
      // Servers by ids nobody has: one GET /servers/{id} each (single objects are never shared), answered 404.
      await Promise.all(
        Array.from({ length: 2 * RATE }, () =>
          api.compute.getServer({ location: t.where, nameOrId: crypto.randomUUID() }).catch(() => undefined),
        ),
      );
      await tracing.flush();
      const starts = exporter
        .getFinishedSpans()
        .filter((s) => s.name.endsWith(' compute') || s.name.endsWith(' identity'))
        .map((s) => s.startTime[0] * 1000 + s.startTime[1] / 1e6)
        .sort((a, b) => a - b);
      assert.ok(starts.length >= 2 * RATE, `${starts.length} requests`);
      for (let i = 0; i + RATE < starts.length; i++)
        assert.ok(
          starts[i + RATE] - starts[i] >= 1000,
          `${RATE + 1} requests within ${starts[i + RATE] - starts[i]} ms`,
        );
    });
  });
}
