// The contract scenarios against a real OpenStack (test/real/devcloud), run by `npm run test:real`.
// OAKTREE_REAL_CLOUDS_YAML and OAKTREE_REAL_CLOUD point at another cloud if you have one.
import { after, before } from 'node:test';
import { existsSync } from 'node:fs';
import { defineNetworkWriteScenarios } from '../scenarios/network-writes.ts';
import { defineScenarios } from '../scenarios/scenarios.ts';
import { defineServerConfigScenarios } from '../scenarios/server-config.ts';
import { defineStorageScenarios } from '../scenarios/storage-writes.ts';
import { defineServerActionScenarios } from '../scenarios/server-actions.ts';
import { openTarget, type ScenarioTarget } from '../scenarios/target.ts';

const cloudsYaml = process.env.OAKTREE_REAL_CLOUDS_YAML ?? '/var/tmp/oaktree-devcloud/clouds.yaml';
let target: ScenarioTarget;

before(async () => {
  if (!existsSync(cloudsYaml)) {
    throw new Error(
      `${cloudsYaml} does not exist: start the real cloud first with \`sudo bash test/real/devcloud/up.sh\``,
    );
  }
  target = await openTarget({
    label: 'devcloud',
    cloudsYaml,
    cloud: process.env.OAKTREE_REAL_CLOUD ?? 'devcloud',
    region: process.env.OAKTREE_REAL_REGION ?? 'RegionOne',
    image: process.env.OAKTREE_REAL_IMAGE ?? 'cirros-fake',
    flavor: process.env.OAKTREE_REAL_FLAVOR ?? 'm1.nano',
    network: process.env.OAKTREE_REAL_NETWORK ?? 'private',
    externalNetwork: process.env.OAKTREE_REAL_EXTERNAL_NETWORK ?? 'public',
  });
});

after(async () => {
  await target?.close();
});

defineScenarios('the real cloud', () => target);
defineServerConfigScenarios('the real cloud', () => target);
defineNetworkWriteScenarios('the real cloud', () => target);
defineStorageScenarios('the real cloud', () => target);
defineServerActionScenarios('the real cloud', () => target);
