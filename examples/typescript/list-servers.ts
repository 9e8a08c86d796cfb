// Lists every server of every cloud and region the node reaches, as they stream in.
// Run: node --import tsx examples/typescript/list-servers.ts   (OAKTREE_ENDPOINT, default 127.0.0.1:50051)
// Outside this repository the import is `from 'oaktree/client'`.
import { connect, serverStatusName } from '../../src/client/index.ts';

const client = connect(process.env.OAKTREE_ENDPOINT ?? '127.0.0.1:50051');
try {
  // One call fans out to every location; a location that fails does not stop the others.
  const servers = client.listServers(undefined, {
    timeoutMs: 30_000,
    onError: (error) => console.error(`warning: ${error}`),
  });
  let count = 0;
  for await (const server of servers) {
    const { cloud, region, zone } = server.location!;
    console.log(
      `${cloud}/${region}/${zone}  ${server.name}  ${serverStatusName(server.status)}  ${server.interfaceIp || '-'}`,
    );
    count++;
  }
  console.log(`${count} servers, ${servers.errors.length} locations failed`);
  process.exitCode = servers.errors.length ? 3 : 0;
} finally {
  client.close();
}
