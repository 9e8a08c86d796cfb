// clouds.yaml for openstacksdk / openstackclient, one entry per simulated cloud.
import { stringify } from 'yaml';
import type { SimCloudInfo, SimProjectInfo } from './types.ts';

export function renderCloudsYaml(clouds: SimCloudInfo[]): string {
  const entries: Record<string, unknown> = {};
  for (const c of clouds) {
    entries[c.name] = entry(c, c.username, c.password, c.projects[0]);
    // Configured users get their own entry, like a real cloud's "<cloud>-admin".
    for (const u of c.users) entries[`${c.name}-${u.username}`] = entry(c, u.username, u.password, u.project);
  }
  return stringify({ clouds: entries });
}

function entry(c: SimCloudInfo, username: string, password: string, project: SimProjectInfo) {
  return {
    auth_type: 'password',
    auth: {
      auth_url: c.authUrl,
      username,
      password,
      project_name: project.name,
      user_domain_name: project.domainName,
      project_domain_name: project.domainName,
    },
    ...(c.regions.length === 1 ? { region_name: c.regions[0] } : { regions: c.regions }),
    identity_api_version: 3,
    interface: 'public',
    verify: false,
  };
}
