import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCloudsConfig, type CloudConfig } from '../../../src/config/clouds/index.ts';

/** Writes a clouds.yaml with one cloud and loads it through the real loader. */
export async function cloudFromYaml(yaml: string): Promise<CloudConfig> {
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-transport-'));
  try {
    await writeFile(join(dir, 'clouds.yaml'), yaml);
    const loaded = await loadCloudsConfig({ env: {}, cwd: dir, homeDir: dir, systemDirs: [] });
    return loaded.clouds[0];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function passwordCloud(authUrl: string, extra = '', auth = ''): Promise<CloudConfig> {
  return cloudFromYaml(`clouds:
  fake:
    auth:
      auth_url: ${authUrl}
      username: alice
      password: 'pw-S3cret!'
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
${auth}${extra}`);
}

export const FAST_RETRY = { baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 200 };
