// A simulator in its own process, so the clouds' CPU time is not charged to the client or to oaktree.
// argv: JSON SimCloudOptions[] and the clouds.yaml path; prints one JSON line once listening; stops on SIGTERM.
import { startSimulator, type SimCloudOptions } from '../../src/simulator/index.ts';

const clouds = JSON.parse(process.argv[2]) as SimCloudOptions[];
const sim = await startSimulator({ clouds, controlPort: 0 });
await sim.writeCloudsYaml(process.argv[3]);
process.stdout.write(`${JSON.stringify({ controlUrl: sim.controlUrl, clouds: sim.clouds.map((c) => c.name) })}\n`);
process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
