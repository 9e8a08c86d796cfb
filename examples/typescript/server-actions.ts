// Manages a server after it boots: stop and start it, resize it (confirmed as soon as the cloud asks), snapshot it
// to an image, rename it; each step waits for the cloud with progress pushed by the node. Then cleans up.
// Run: node --import tsx examples/typescript/server-actions.ts [--cloud NAME] [--region NAME] [--name NAME]
import { parseArgs } from 'node:util';
import {
  connect,
  ImageStatus,
  serverStatusName,
  type Selector,
  type ServerActionSpec,
} from '../../src/client/index.ts';

const { values } = parseArgs({
  options: { cloud: { type: 'string' }, region: { type: 'string' }, name: { type: 'string' } },
});
const client = connect(process.env.OAKTREE_ENDPOINT ?? '127.0.0.1:50051', { timeoutMs: 300_000 });
try {
  const [location] = await client.listLocations({ cloud: values.cloud, region: values.region }).toArray();
  if (!location) throw new Error('no location matches');
  const where: Selector = { cloud: location.cloud, region: location.region };
  const flavors = (await client.listFlavors(where, { strict: true }).toArray()).sort((a, b) => a.ramMb - b.ramMb);
  const images = await client.listImages(where, { strict: true, status: ImageStatus.IMAGE_STATUS_ACTIVE }).toArray();
  const image = images.find((i) => i.name.startsWith('cirros')) ?? images[0]!;

  const name = values.name ?? `example-actions-${process.pid}`;
  const server = await client.createServer({
    location: where,
    name,
    flavor: flavors[0]!.id,
    image: image.id,
    wait: true,
  });
  console.log(`${name} is ${serverStatusName(server.status)} with flavor ${flavors[0]!.name}`);

  const steps: ServerActionSpec[] = [
    { action: 'stop' },
    { action: 'start' },
    { action: 'resize', flavor: flavors[1]!.id, autoConfirm: true },
  ];
  for (const spec of steps) {
    const after = await client.serverAction(server.id, where, spec, {
      wait: true,
      onProgress: (stage, s) => stage === 'progress' && console.log(`  ${spec.action}: ${s.cloudStatus}`),
    });
    console.log(`${spec.action}: ${name} is ${serverStatusName(after.status)} (flavor ${after.flavor?.name})`);
  }

  const snapshot = await client.snapshotServer(server.id, where, `${name}-snapshot`, { wait: true });
  console.log(
    `snapshot ${snapshot.name} is ${snapshot.cloudStatus} in ${snapshot.location?.cloud}/${snapshot.location?.region}`,
  );
  const renamed = await client.updateServer(server.id, where, { name: `${name}-renamed` });
  console.log(`renamed to ${renamed.name}`);

  await client.deleteImage(snapshot.id, where);
  await client.deleteServer(server.id, where, { deleteFloatingIps: true, wait: true });
  console.log('cleaned up');
} finally {
  client.close();
}
