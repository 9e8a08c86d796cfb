// In-process meshes: real nodes on real sockets with peer backends between them, for precise mesh tests.
import type { Backend } from '../../src/backends/backend.ts';
import { createPeerBackend, type PeerBackend } from '../../src/backends/peer/peer-backend.ts';
import { routeKey } from '../../src/core/location.ts';
import { startNode, type RunningNode } from '../../src/node/server.ts';
import { silentLogger } from '../../src/observability/logger.ts';

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

/**
 * Starts every node on port 0, then gives each its peers at their real addresses (so cycles need no ports chosen
 * up front), then refreshes routes until every node reaches every location its peers lead to.
 */
export async function startMesh(specs: MeshNodeSpec[], refreshMs = 200): Promise<Mesh> {
  const nodes = new Map<string, RunningNode>();
  for (const spec of specs) {
    nodes.set(
      spec.id,
      await startNode({
        nodeId: spec.id,
        listen: '127.0.0.1:0',
        backends: spec.backends ?? [],
        logger: silentLogger(),
      }),
    );
  }
  const peers: PeerBackend[] = [];
  for (const spec of specs) {
    for (const peerId of spec.peers ?? []) {
      const peer = createPeerBackend({
        address: nodes.get(peerId)!.address,
        nodeId: spec.id,
        logger: silentLogger(),
        refreshMs,
      });
      await nodes.get(spec.id)!.addBackend(peer);
      peers.push(peer);
    }
  }
  const mesh: Mesh = {
    nodes,
    peers,
    address: (id) => nodes.get(id)!.address,
    close: async () => {
      await Promise.all([...nodes.values()].map((node) => node.close(100)));
    },
  };
  try {
    await converge(specs, nodes, peers);
  } catch (error) {
    await mesh.close();
    throw error;
  }
  return mesh;
}

/** Routes travel one hop per refresh: refresh every peer until each node's table holds what it can reach. */
async function converge(specs: MeshNodeSpec[], nodes: Map<string, RunningNode>, peers: PeerBackend[]): Promise<void> {
  const byId = new Map(specs.map((spec) => [spec.id, spec]));
  const reachable = (id: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(id)) return new Set();
    seen.add(id);
    const own = (byId.get(id)!.backends ?? []).flatMap((backend) =>
      backend.routes().map((route) => routeKey(route.location)),
    );
    return new Set([...own, ...(byId.get(id)!.peers ?? []).flatMap((peer) => [...reachable(peer, seen)])]);
  };
  const expected = new Map(specs.map((spec) => [spec.id, reachable(spec.id)]));
  const missing = () =>
    specs.flatMap((spec) => {
      const table = nodes.get(spec.id)!.router.routeTable();
      return [...expected.get(spec.id)!]
        .filter((key) => table.get(key)?.route.reachable === false || !table.has(key))
        .map((key) => `${spec.id} → ${key}`);
    });
  for (let round = 0; round <= specs.length + 1; round++) {
    if (missing().length === 0) return;
    await Promise.all(peers.map((peer) => peer.refresh()));
  }
  throw new Error(`the mesh did not converge; missing routes: ${missing().join(', ')}`);
}
