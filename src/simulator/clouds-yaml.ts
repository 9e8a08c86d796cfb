// clouds.yaml for openstacksdk / openstackclient, one entry per simulated cloud.
import { stringify } from 'yaml';
import type { SimCloudInfo } from './types.ts';

export function renderCloudsYaml(clouds: SimCloudInfo[]): string {
  const entries: Record<string, unknown> = {};
  for (const c of clouds) {
    const project = c.projects[0];
    entries[c.name] = {
      auth_type: 'password',
      auth: {
        auth_url: c.authUrl,
        username: c.username,
        password: c.password,
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
  return stringify({ clouds: entries });
}
