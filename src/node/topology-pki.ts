// Certificates for an mTLS topology: one throwaway CA in the state folder, and for every node a server
// certificate (127.0.0.1, localhost) and a client certificate for dialing its peers, both naming the node as
// spiffe://oaktree/<node id>; plus an "operator" client certificate for the runner and for people.
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { createPki, type IssuedCert } from './pki.ts';
import type { Topology, TopologyNodeCerts } from './topology.ts';

export interface TopologyCerts {
  ca: string;
  /** A client certificate that every node accepts. */
  operator: IssuedCert;
  nodes: Map<string, TopologyNodeCerts>;
}

export async function issueTopologyCerts(topology: Topology, stateDir: string): Promise<TopologyCerts> {
  const dir = join(stateDir, 'pki');
  await mkdir(dir, { recursive: true });
  const pki = await createPki({ dir, name: `oaktree topology ${topology.name} CA` });
  const nodes = new Map<string, TopologyNodeCerts>();
  for (const node of topology.nodes) {
    const uris = [`spiffe://oaktree/${node.id}`];
    const [server, client] = await Promise.all([
      pki.issue(`${node.id}-server`, {
        cn: node.id,
        dns: ['localhost'],
        ips: ['127.0.0.1'],
        uris,
        usage: 'server',
        days: 30,
      }),
      pki.issue(`${node.id}-client`, { cn: node.id, uris, usage: 'client', days: 30 }),
    ]);
    nodes.set(node.id, { ca: pki.caCert, server, client });
  }
  const operator = await pki.issue('operator', {
    cn: 'operator',
    uris: ['spiffe://oaktree/operator'],
    usage: 'client',
    days: 30,
  });
  return { ca: pki.caCert, operator, nodes };
}
