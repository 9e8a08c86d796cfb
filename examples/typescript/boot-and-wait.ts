// Boots a server, waits (the node pushes progress: no polling here) until it is ACTIVE, prints its address,
// then deletes it. Picks the smallest flavor and a cirros (or any active) image at the chosen location.
// Run: node --import tsx examples/typescript/boot-and-wait.ts [--cloud NAME] [--region NAME]
import { parseArgs } from 'node:util';
import { connect, ImageStatus, serverStatusName, type Selector } from '../../src/client/index.ts';

const { values } = parseArgs({
  options: { cloud: { type: 'string' }, region: { type: 'string' }, name: { type: 'string' } },
});
const client = connect(process.env.OAKTREE_ENDPOINT ?? '127.0.0.1:50051', { timeoutMs: 120_000 });
try {
  // A write goes to exactly one cloud and region: take the first location that matches what was asked.
  const [location] = await client.listLocations({ cloud: values.cloud, region: values.region }).toArray();
  if (!location) throw new Error('no location matches');
  const where: Selector = { cloud: location.cloud, region: location.region };

  const flavors = await client.listFlavors(where, { strict: true }).toArray();
  const flavor = flavors.sort((a, b) => a.ramMb - b.ramMb || a.vcpus - b.vcpus)[0]!;
  const images = await client.listImages(where, { strict: true, status: ImageStatus.IMAGE_STATUS_ACTIVE }).toArray();
  const image = images.find((i) => i.name.startsWith('cirros')) ?? images[0]!;

  const name = values.name ?? `example-${process.pid}`;
  console.log(`booting ${name} in ${where.cloud}/${where.region} (flavor ${flavor.name}, image ${image.name})`);
  const server = await client.createServer(
    { location: where, name, flavor: flavor.id, image: image.id, wait: true },
    {
      onProgress: (stage, s) =>
        console.log(`  ${stage}: ${serverStatusName(s.status)}${s.progress ? ` ${s.progress}%` : ''}`),
    },
  );
  console.log(`${server.name} is ${serverStatusName(server.status)} at ${server.interfaceIp} (id ${server.id})`);

  await client.deleteServer(server.id, where, { deleteFloatingIps: true, wait: true });
  console.log(`deleted ${server.name}`);
} finally {
  client.close();
}
