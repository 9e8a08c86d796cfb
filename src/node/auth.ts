// The node's `auth:` section made real at start: the authenticator (files read, identity cloud opened), the
// policy and the trusted peers. Any mistake is a configuration error (exit 2) naming the file and line.
import { Authenticator } from '../auth/authenticator.ts';
import type { AuthConfig } from '../auth/config.ts';
import { TrustedPeers } from '../auth/peers.ts';
import { Policy } from '../auth/policy.ts';
import { AuthConfigError } from '../auth/errors.ts';
import { loadCloudsConfig } from '../config/clouds/index.ts';
import type { CloudConfig } from '../config/clouds/types.ts';
import { NodeConfigError, type NodeConfig } from './config.ts';

export interface NodeAuth {
  authenticator: Pick<Authenticator, 'authenticate' | 'close'>;
  policy: Policy;
  peers: TrustedPeers;
}

export async function buildNodeAuth(config: NodeConfig & { auth: AuthConfig }): Promise<NodeAuth> {
  const { auth } = config;
  if (auth.peers.length > 0 && !config.tls?.clientCa) {
    throw new NodeConfigError(
      'auth.peers: peers are recognized by their client certificates; set tls.client_ca (or --tls-client-ca)',
    );
  }
  try {
    // Only Keystone mode needs clouds.yaml here: the identity cloud's entry holds the node's service credentials.
    const clouds: CloudConfig[] = auth.keystone ? (await loadCloudsConfig({ file: config.clouds.file })).clouds : [];
    const policy = await Policy.load(auth.policy);
    const authenticator = await Authenticator.create(auth, clouds);
    return { authenticator, policy, peers: new TrustedPeers(auth.peers) };
  } catch (error) {
    if (error instanceof AuthConfigError) throw new NodeConfigError(error.message);
    throw error;
  }
}
