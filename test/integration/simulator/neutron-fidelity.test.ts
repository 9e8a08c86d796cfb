// The Neutron fidelity checks (neutron-fidelity.ts) against the simulator; test/real runs them on the real cloud.
import { after } from 'node:test';
import { startSimulator } from '../../../src/simulator/index.ts';
import { defineNeutronFidelity, neutronSession } from './neutron-fidelity.ts';

const sim = await startSimulator({ clouds: [{ name: 'fid-neutron', regions: ['RegionOne'], bootDelayMs: 0 }] });
after(() => sim.close());
const cloud = sim.clouds[0];

defineNeutronFidelity('the simulator', () => neutronSession(`${cloud.authUrl}/v3`, 'demo', cloud.password, 'demo'));
