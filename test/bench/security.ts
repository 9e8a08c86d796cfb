// Table: what TLS and authorization cost per call. GetFlavor against one node process serving the same simulated
// cloud four ways: plaintext without auth (the loopback default), TLS, TLS + a static token checked against a
// policy, and mTLS + a static token. Rounds interleave the modes, so load from other processes hits each alike.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect, type OaktreeClient } from '../../src/client/index.ts';
import { createStaticToken } from '../../src/auth/static-tokens.ts';
import { createPki } from '../../src/node/pki.ts';
import { closeAll, startNodeProcess, startSimProcess, type NodeProcess } from './lib/procs.ts';
import { fmt, markdownTable, median, p99, verdict } from './lib/stats.ts';

const WARMUP = 50;
const CALLS = 600;
const ROUNDS = 10;

interface Mode {
  name: string;
  config: Record<string, unknown>;
  client: (address: string) => OaktreeClient;
}

export async function runSecurity(dir: string) {
  const sim = await startSimProcess([{ name: 'sec-cloud', regions: ['RegionOne'], seedServers: 5 }], dir);
  const pki = await createPki();
  const nodes: NodeProcess[] = [];
  try {
    const server = await pki.issue('node', { cn: 'node', ips: ['127.0.0.1'], usage: 'server' });
    const clientCert = await pki.issue('caller', { cn: 'caller', uris: ['spiffe://oaktree/caller'], usage: 'client' });
    const { token, line } = createStaticToken('bench');
    const tokens = join(dir, 'tokens.yaml');
    const policy = join(dir, 'policy.yaml');
    await writeFile(tokens, `tokens:\n${line}\n`);
    await writeFile(policy, 'grants:\n  - who: {token: bench}\n    locations: []\n    actions: [read, write]\n');
    const tls = { cert: server.cert, key: server.key };
    const auth = { static_tokens: { file: tokens }, policy };
    const modes: Mode[] = [
      { name: 'plaintext, no auth', config: {}, client: (a) => connect(a) },
      { name: 'TLS, no auth', config: { tls }, client: (a) => connect(a, { ca: pki.caCert }) },
      {
        name: 'TLS + static token + policy',
        config: { tls, auth },
        client: (a) => connect(a, { ca: pki.caCert, token }),
      },
      {
        name: 'mTLS + static token + policy',
        config: { tls: { ...tls, client_ca: pki.caCert, require_client_cert: true }, auth },
        client: (a) => connect(a, { ca: pki.caCert, cert: clientCert.cert, key: clientCert.key, token }),
      },
    ];
    for (const [i, mode] of modes.entries()) {
      nodes.push(
        await startNodeProcess({
          id: `sec-${i}`,
          dir,
          cloudsYaml: sim.cloudsYaml,
          only: ['sec-cloud'],
          config: mode.config,
        }),
      );
    }
    const clients = modes.map((mode, i) => mode.client(nodes[i].address));
    const samples = modes.map(() => [] as number[]);
    try {
      for (const client of clients) for (let i = 0; i < WARMUP; i++) await client.getFlavor('m1.tiny');
      for (let round = 0; round < ROUNDS; round++) {
        for (const [m, client] of clients.entries()) {
          for (let i = 0; i < CALLS / ROUNDS; i++) {
            const t0 = performance.now();
            await client.getFlavor('m1.tiny');
            samples[m].push(performance.now() - t0);
          }
        }
      }
    } finally {
      for (const client of clients) client.close();
    }
    const base = median(samples[0]);
    const rows = modes.map((mode, m) => ({
      mode: mode.name,
      medianMs: median(samples[m]),
      p99Ms: p99(samples[m]),
      addedMs: median(samples[m]) - base,
    }));
    const secured = rows.at(-1)!;
    return {
      name: 'security',
      title: 'TLS and authorization: per-call cost (GetFlavor, one node)',
      table: markdownTable(
        ['mode', 'median ms', 'p99 ms', 'added (median) ms'],
        rows.map((r, i) => [r.mode, fmt(r.medianMs, 2), fmt(r.p99Ms, 2), i ? fmt(r.addedMs, 2) : '–']),
      ),
      targets: [
        `mTLS + token + policy adds ≤ 0.5 ms median per call: ${verdict(secured.addedMs <= 0.5, `${fmt(secured.addedMs, 2)} ms`)}`,
      ],
      notes: [
        `${CALLS} sequential calls per mode after ${WARMUP} warm-up calls, on one long-lived connection each (the TLS handshake is paid once), in ${ROUNDS} rounds that interleave the modes; each mode is its own node process serving the same simulator process (no latency).`,
        'The SDK client (oaktree/client) is used for every mode; the token is a static API token checked against its sha256 hash, then the policy grants read to every location.',
      ],
      raw: { rows, samplesMs: samples.map((list) => list.map((s) => Math.round(s * 1000) / 1000)) },
    };
  } finally {
    await closeAll(nodes);
    await pki.close();
    await sim.close();
  }
}
