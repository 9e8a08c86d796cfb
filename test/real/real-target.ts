// The scenario target for the real tier: a node in this process serving the real cloud (test/real/devcloud), opened
// before the file's tests and closed after them. OAKTREE_REAL_CLOUDS_YAML and OAKTREE_REAL_CLOUD point at another cloud
// if you have one. Each scenario set has its own file so that no file comes near the runner's per-file timeout.
import { after, before } from 'node:test';
import { existsSync } from 'node:fs';
import { openTarget, type ScenarioTarget } from '../scenarios/target.ts';

const cloudsYaml = process.env.OAKTREE_REAL_CLOUDS_YAML ?? '/var/tmp/oaktree-devcloud/clouds.yaml';

/** Registers the file's before/after hooks; the returned function gives the open target inside tests. */
export function useRealTarget(): () => ScenarioTarget {
  let target: ScenarioTarget | undefined;
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
  return () => {
    if (!target) throw new Error('the real target is not open (its before hook failed)');
    return target;
  };
}
