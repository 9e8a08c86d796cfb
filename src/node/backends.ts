// Which backends a node has: the clouds it serves itself and the peers it forwards to.
import type { Backend } from '../backends/backend.ts';
import type { Logger } from '../observability/logger.ts';
import type { NodeConfig } from './config.ts';

export interface BuiltBackends {
  backends: Backend[];
  /** Stops what was started for them (e.g. the embedded simulator). */
  close(): Promise<void>;
}

export async function buildBackends(config: NodeConfig, nodeId: string, logger: Logger): Promise<BuiltBackends> {
  const backends: Backend[] = [];
  logger.debug({ nodeId, peers: config.peers.length }, 'building backends');
  return { backends, close: async () => {} };
}
