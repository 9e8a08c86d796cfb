// In-process meshes: real nodes on real sockets with peer backends between them, for precise mesh tests.
import { createServer } from 'node:net';
import type { Backend } from '../../src/backends/backend.ts';
import { createPeerBackend, type PeerBackend } from '../../src/backends/peer/peer-backend.ts';
import { startNode, type RunningNode } from '../../src/node/server.ts';
import { silentLogger } from '../../src/observability/logger.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as any).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface MeshNodeSpec {
  id: string;
  backends?: Backend[];
  peers?: string[];
}

export interface Mesh {
  nodes: Map<string, RunningNode>;
  peers: PeerBackend[];
  address(id: string): string;
  close(): Promise<void>;
}

/** Starts every node on a port chosen up front (so cycles can be wired), then waits for routes to settle. */
export async function startMesh(specs: MeshNodeSpec[], refreshMs = 200): Promise<Mesh> {
  const ports = new Map<string, number>();
  for (const spec of specs) ports.set(spec.id, await freePort());
  const nodes = new Map<string, RunningNode>();
  const peers: PeerBackend[] = [];
  for (const spec of specs) {
    const peerBackends = (spec.peers ?? []).map((peer) =>
      createPeerBackend({ address: `127.0.0.1:${ports.get(peer)}`, nodeId: spec.id, logger: silentLogger(), refreshMs }),
    );
    peers.push(...peerBackends);
    const node = await startNode({
      nodeId: spec.id,
      listen: `127.0.0.1:${ports.get(spec.id)}`,
      backends: [...(spec.backends ?? []), ...peerBackends],
      logger: silentLogger(),
    });
    nodes.set(spec.id, node);
  }
  // Routes propagate one hop per refresh, and a peer that was not listening yet answers after its reconnect
  // backoff: refresh until the route tables stop changing.
  let last = '';
  for (let stable = 0, round = 0; stable < 3 && round < 100; round++) {
    await Promise.all(peers.map((peer) => peer.refresh()));
    const now = [...nodes.values()].map((node) => node.router.routeTable().size).join(',');
    stable = now === last && peers.every((peer) => peer.routes().every((r) => r.reachable !== false)) ? stable + 1 : 0;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    nodes,
    peers,
    address: (id) => nodes.get(id)!.address,
    close: async () => {
      await Promise.all([...nodes.values()].map((node) => node.close(100)));
    },
  };
}
