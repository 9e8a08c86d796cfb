// Ships a CI job's log file to object storage in every cloud that has it (one stream, each location reports its
// own result), then prints a signed URL per location that anyone can fetch for a day without oaktree or a token.
// Run: node --import tsx examples/typescript/ship-logs.ts FILE [--container logs] [--name job-1/build.log]
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { connect, type OaktreeError } from '../../src/client/index.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { container: { type: 'string' }, name: { type: 'string' } },
});
const file = positionals[0];
if (!file) {
  console.error('usage: ship-logs.ts FILE [--container NAME] [--name OBJECT]');
  process.exit(2);
}
const container = values.container ?? 'oaktree-example-logs';
const name = values.name ?? `job-${Date.now()}/${basename(file)}`;
const client = connect(process.env.OAKTREE_ENDPOINT ?? '127.0.0.1:50051', { timeoutMs: 600_000 });
try {
  const withSwift = [];
  for await (const caps of client.listCapabilities()) if (caps.objectStore?.available) withSwift.push(caps);
  const failures: OaktreeError[] = [];
  for (const caps of withSwift) {
    const where = { cloud: caps.location!.cloud, region: caps.location!.region };
    const outcome = await client
      .uploadObject(file, { container, name, location: where, deleteAfterSeconds: BigInt(7 * 24 * 3600) })
      .catch((error: OaktreeError) => ({ objects: [], errors: [error], bytesSent: 0 }));
    failures.push(...outcome.errors);
    for (const object of outcome.objects) {
      // A signed URL where the cloud has TempURL; otherwise the object is there, reachable through oaktree.
      const link = caps.objectStore?.tempUrl
        ? (await client.createObjectUrl(container, name, where, { expiresInSeconds: 24 * 3600 })).url
        : `(no TempURL here) oaktree object download ${container} ${name} --cloud ${where.cloud}`;
      console.log(`${where.cloud}/${where.region}: ${object.sizeBytes} bytes, md5 ${object.etag}\n  ${link}`);
    }
  }
  for (const error of failures) console.log(`failed: ${error}`);
  process.exitCode = failures.length ? 1 : 0;
} finally {
  client.close();
}
