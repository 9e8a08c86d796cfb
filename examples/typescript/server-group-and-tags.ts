// Spreads two servers over hosts with a server group, tags them and sets metadata, then finds them again with
// ListServers filters (tags, metadata) and cleans up: what Ansible's server_group, server_metadata and server
// modules do, in one location.
// Run: node --import tsx examples/typescript/server-group-and-tags.ts [--cloud NAME] [--region NAME]
import { parseArgs } from 'node:util';
import { connect, type Selector } from '../../src/client/index.ts';

const { values } = parseArgs({ options: { cloud: { type: 'string' }, region: { type: 'string' } } });
const client = connect(process.env.OAKTREE_ENDPOINT ?? '127.0.0.1:50051', { timeoutMs: 120_000 });
const prefix = `example-${process.pid}`;
try {
  const [location] = await client.listLocations({ cloud: values.cloud, region: values.region }).toArray();
  if (!location) throw new Error('no location matches');
  const where: Selector = { cloud: location.cloud, region: location.region };
  const [flavor] = await client.listFlavors(where, { strict: true, sortBy: 'ram' }).toArray();
  const [image] = (await client.listImages(where, { strict: true }).toArray()).filter((i) =>
    i.name.startsWith('cirros'),
  );

  // Soft anti-affinity: different hosts when the cloud has them, still a boot when it does not.
  const group = await client.createServerGroup(`${prefix}-web`, 'soft-anti-affinity', where);
  console.log(`server group ${group.name} (${group.id}) in ${where.cloud}/${where.region}`);
  const names = [`${prefix}-web-1`, `${prefix}-web-2`];
  await Promise.all(
    names.map((name) =>
      client.createServer({
        location: where,
        name,
        flavor: flavor!.id,
        image: image!.id,
        serverGroup: group.id,
        tags: ['web', prefix],
        description: 'made by examples/typescript/server-group-and-tags.ts',
        wait: true,
        floatingIp: 'none',
      }),
    ),
  );
  await client.setServerMetadata(names[0]!, { role: 'primary' }, where);
  await client.setServerTags(names[1]!, ['standby'], where);

  const tagged = await client.listServers(where, { tags: ['web', prefix], strict: true }).toArray();
  console.log(
    `tagged web and ${prefix}: ${tagged
      .map((s) => s.name)
      .sort()
      .join(', ')}`,
  );
  const primary = await client.listServers(where, { tags: [prefix], metadata: { role: 'primary' } }).toArray();
  console.log(`role=primary: ${primary.map((s) => s.name).join(', ')}`);
  const members = (await client.getServerGroup(group.id, where)).memberIds.length;
  console.log(`group members: ${members}`);

  await Promise.all(names.map((name) => client.deleteServer(name, where, { wait: true })));
  await client.deleteServerGroup(group.id, where);
  console.log('cleaned up');
} finally {
  client.close();
}
