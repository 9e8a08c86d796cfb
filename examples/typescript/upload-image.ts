// Uploads one image file to every cloud and region the node reaches: one stream per cloud (the node sends the
// bytes on to each of its regions), progress as it goes, checksums verified by the node.
// Run: node --import tsx examples/typescript/upload-image.ts FILE [--name NAME] [--disk-format qcow2]
import { parseArgs } from 'node:util';
import { connect } from '../../src/client/index.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' }, 'disk-format': { type: 'string' } },
});
const file = positionals[0];
if (!file) {
  console.error('usage: upload-image.ts FILE [--name NAME] [--disk-format FORMAT]');
  process.exit(2);
}
const client = connect(process.env.OAKTREE_ENDPOINT ?? '127.0.0.1:50051', { timeoutMs: 600_000 });
try {
  const clouds = new Set<string>();
  for await (const location of client.listLocations()) clouds.add(location.cloud);

  let failed = 0;
  for (const cloud of clouds) {
    const outcome = await client
      .uploadImage(
        file,
        {
          name: values.name ?? 'oaktree-example',
          location: { cloud },
          allMatchingLocations: true,
          ...(values['disk-format'] ? { diskFormat: values['disk-format'] } : {}),
        },
        {
          onProgress: ({ bytes, totalBytes }) =>
            process.stderr.write(`\r${cloud}: ${bytes}/${totalBytes ?? '?'} bytes`),
        },
      )
      .catch((error) => ({ images: [], errors: [error], bytesSent: 0 }));
    process.stderr.write('\n');
    for (const image of outcome.images) {
      console.log(
        `${image.location!.cloud}/${image.location!.region}: ${image.name} ${image.id} (${image.sizeBytes} bytes, ${image.diskFormat})`,
      );
    }
    for (const error of outcome.errors) console.log(`failed: ${error}`);
    failed += outcome.errors.length;
  }
  process.exitCode = failed ? 1 : 0;
} finally {
  client.close();
}
