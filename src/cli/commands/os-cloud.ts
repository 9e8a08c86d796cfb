// The CLI as a Keystone user: the credentials of the user's own clouds.yaml entry (application credential or
// password) are exchanged for a Keystone token, which is sent as the bearer. Which credential wins:
//   1. --token            (giving --token and --os-cloud together is a usage error)
//   2. --os-cloud NAME
//   3. OAKTREE_TOKEN
//   4. OS_CLOUD, only on a TLS connection (--ca/--cert, their OAKTREE_* variables, or an https:// endpoint):
//      OS_CLOUD is commonly set for other OpenStack tools, and a plaintext node is a personal one on loopback
//      that takes no token, so it would cost a Keystone round trip (or fail offline) for nothing.
import { exchangeCredentialsForToken } from '../../auth/keystone.ts';
import { OpenStackAuthError, OpenStackError } from '../../backends/openstack/transport/index.ts';
import { CloudsConfigError, loadCloudsConfig, type CloudConfig } from '../../config/clouds/index.ts';
import { OaktreeError, Status } from '../../client/index.ts';

/** What the user gave on the command line and in the environment, as far as the bearer goes. */
export interface BearerInputs {
  token?: string;
  osCloud?: string;
  /** The connection uses TLS: only then does OS_CLOUD apply. */
  tls: boolean;
  env: Record<string, string | undefined>;
}

/** A wrong value the user must fix on the command line or in clouds.yaml (exit code 2). */
export class OsCloudUsageError extends Error {}

/** The bearer token to send, or undefined for none (see the order above). */
export async function resolveBearer(inputs: BearerInputs, signal?: AbortSignal): Promise<string | undefined> {
  if (inputs.token && inputs.osCloud) throw new OsCloudUsageError('give --token or --os-cloud, not both');
  if (inputs.token) return inputs.token;
  if (inputs.osCloud) return keystoneToken(inputs.osCloud, '--os-cloud', inputs.env, signal);
  if (inputs.env.OAKTREE_TOKEN) return inputs.env.OAKTREE_TOKEN;
  const fromEnv = inputs.env.OS_CLOUD;
  if (fromEnv && inputs.tls) return keystoneToken(fromEnv, 'OS_CLOUD', inputs.env, signal);
  return undefined;
}

async function keystoneToken(
  name: string,
  namedBy: string,
  env: Record<string, string | undefined>,
  signal?: AbortSignal,
): Promise<string> {
  const cloud = await findCloud(name, namedBy, env);
  try {
    return (await exchangeCredentialsForToken(cloud, signal)).token.reveal();
  } catch (error) {
    throw keystoneFailure(cloud, error);
  }
}

async function findCloud(name: string, namedBy: string, env: Record<string, string | undefined>): Promise<CloudConfig> {
  // The name is checked here, not by the loader's OS_CLOUD check, so the message names the flag that gave it.
  const { OS_CLOUD: _, ...rest } = env;
  let loaded: Awaited<ReturnType<typeof loadCloudsConfig>>;
  try {
    loaded = await loadCloudsConfig({ env: rest });
  } catch (error) {
    if (error instanceof CloudsConfigError)
      throw new OsCloudUsageError(`${namedBy} ${name}: clouds.yaml: ${error.message}`);
    throw error;
  }
  const cloud = loaded.clouds.find((c) => c.name === name);
  if (cloud) return cloud;
  const where = loaded.files.length
    ? `not in ${loaded.files.join(', ')} (clouds there: ${loaded.clouds.map((c) => c.name).join(', ') || 'none'})`
    : 'no clouds.yaml found (looked in ./clouds.yaml, ~/.config/openstack/, /etc/openstack/; OS_CLIENT_CONFIG_FILE names another)';
  throw new OsCloudUsageError(`${namedBy} names cloud "${name}", which is ${where}`);
}

/** One line saying what failed and what to fix; the transport already scrubbed the entry's secrets. */
function keystoneFailure(cloud: CloudConfig, error: unknown): Error {
  const entry = `clouds.yaml entry "${cloud.name}" (${cloud.source})`;
  if (error instanceof OpenStackAuthError) {
    return new OaktreeError(
      Status.UNAUTHENTICATED,
      `Keystone refused the credentials of ${entry}: ${error.message}; fix that entry's credentials`,
    );
  }
  if (error instanceof OpenStackError) {
    return new OaktreeError(Status.UNAVAILABLE, `cannot get a Keystone token for ${entry}: ${error.message}`);
  }
  return error as Error;
}
