// The Neutron fidelity checks (test/integration/simulator/neutron-fidelity.ts) against the real cloud: each check
// states what the real Neutron answers, so a check that fails here is wrong about the real cloud.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { defineNeutronFidelity, neutronSession } from '../integration/simulator/neutron-fidelity.ts';

const cloudsYaml = process.env.OAKTREE_REAL_CLOUDS_YAML ?? '/var/tmp/oaktree-devcloud/clouds.yaml';
const cloud = process.env.OAKTREE_REAL_CLOUD ?? 'devcloud';

defineNeutronFidelity('the real cloud', () => {
  const auth = parse(readFileSync(cloudsYaml, 'utf8')).clouds[cloud].auth;
  return neutronSession(auth.auth_url, auth.username, auth.password, auth.project_name);
});
