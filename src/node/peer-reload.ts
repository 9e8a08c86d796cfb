// Peers that join after start: on SIGHUP a node rereads its config file and connects to the peers it lists and
// the node lacks. `oaktree topology up` starts every node on port 0 and tells each its peers' real addresses so.
import { createPeerBackend } from '../backends/peer/peer-backend.ts';
import type { Logger } from '../observability/logger.ts';
import { loadNodeConfig } from './config.ts';
import { peerDial } from './peer-credentials.ts';
import type { RunningNode } from './server.ts';

/** Adds the peers `configFile` lists now that are not in `known`; returns the addresses added. */
export async function addNewPeers(
  node: RunningNode,
  configFile: string,
  known: Set<string>,
  logger: Logger,
): Promise<string[]> {
  const config = await loadNodeConfig(configFile);
  const added: string[] = [];
  for (const peer of config.peers) {
    if (known.has(peer.address)) continue;
    known.add(peer.address);
    await node.addBackend(createPeerBackend({ address: peer.address, nodeId: node.nodeId, logger, ...peerDial(peer) }));
    added.push(peer.address);
  }
  return added;
}

/** Rereads `configFile` on every SIGHUP; a config that does not load is logged and changes nothing. */
export function reloadPeersOnHangup(
  node: RunningNode,
  configFile: string,
  peers: readonly string[],
  logger: Logger,
): void {
  const known = new Set(peers);
  process.on('SIGHUP', () => {
    addNewPeers(node, configFile, known, logger).then(
      (added) => logger.info({ added }, 'SIGHUP: config reread, peers added'),
      (error) => logger.warn({ err: (error as Error).message }, 'SIGHUP: config not reread'),
    );
  });
}
