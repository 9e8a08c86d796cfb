// Object bytes: one object (1 GiB unless OAKTREE_BENCH_OBJECT_MIB says otherwise) uploaded and downloaded through
// oaktree straight from the node that owns the cloud and through 2 relay hops, with every node's peak RSS growth,
// and openstacksdk's create_object / get_object on the same simulated Swift in the same run.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from '../../src/client/index.ts';
import { closeAll, procStatusMiB, startChain, startSimProcess } from './lib/procs.ts';
import { runSdkScript } from './lib/python.ts';
import { fmt, markdownTable, verdict } from './lib/stats.ts';

const MIB = 1024 * 1024;
const CLOUD = 'obj-bench';

interface Row {
  client: string;
  hops: number;
  upMiBs: number;
  downMiBs: number;
  /** Peak RSS growth per node during the transfer, owner first. */
  rssGrowthMiB: number[];
}

async function writeTestFile(path: string, mib: number): Promise<string> {
  const block = randomBytes(MIB);
  const md5 = createHash('md5');
  const file = await open(path, 'w');
  try {
    for (let i = 0; i < mib; i++) {
      block.writeUInt32LE(i, 0); // every MiB differs, so a misplaced block changes the md5
      md5.update(block);
      await file.write(block);
    }
  } finally {
    await file.close();
  }
  return md5.digest('hex');
}

async function md5Of(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const piece of createReadStream(path, { highWaterMark: MIB })) hash.update(piece as Buffer);
  return hash.digest('hex');
}

export async function runObjects(dir: string) {
  const mib = Number(process.env.OAKTREE_BENCH_OBJECT_MIB ?? 1024);
  const source = join(dir, 'object.bin');
  const target = join(dir, 'object.out');
  process.stderr.write(`objects: writing a ${mib} MiB test file\n`);
  const md5 = await writeTestFile(source, mib);
  const sim = await startSimProcess([{ name: CLOUD, regions: ['RegionOne'] }], dir);
  const rows: Row[] = [];
  let sdk: { checksum_s: number; upload_s: number; download_s: number; peak_rss_mib: number } | undefined;
  try {
    for (const relays of [0, 2]) {
      process.stderr.write(`objects: oaktree, ${relays} hops\n`);
      const nodes = await startChain({ id: 'owner', dir, cloudsYaml: sim.cloudsYaml, only: [CLOUD] }, relays, 1);
      const client = connect(nodes[nodes.length - 1].address);
      try {
        const before = nodes.map((n) => procStatusMiB(n.pid, 'VmHWM'));
        const header = {
          container: 'bench',
          name: `obj-${relays}`,
          location: { cloud: CLOUD },
          md5,
          sizeBytes: BigInt(mib * MIB),
        };
        let t = performance.now();
        await client.uploadObject(source, header);
        const upS = (performance.now() - t) / 1000;
        t = performance.now();
        const got = await client.downloadObject('bench', header.name, target, { cloud: CLOUD });
        const downS = (performance.now() - t) / 1000;
        if (got.md5 !== md5) throw new Error(`downloaded md5 ${got.md5}, uploaded ${md5}`);
        rows.push({
          client: 'oaktree',
          hops: relays,
          upMiBs: mib / upS,
          downMiBs: mib / downS,
          rssGrowthMiB: nodes.map((n, i) => procStatusMiB(n.pid, 'VmHWM') - before[i]),
        });
        await client.deleteObject('bench', header.name, { cloud: CLOUD });
      } finally {
        client.close();
        await closeAll(nodes);
        await rm(target, { force: true });
      }
    }
    process.stderr.write('objects: openstacksdk\n');
    const measured = await runSdkScript<NonNullable<typeof sdk>>(
      'objects.py',
      [CLOUD, 'bench', 'sdk', source, target],
      sim.cloudsYaml,
    );
    sdk = measured;
    if ((await md5Of(target)) !== md5) throw new Error('openstacksdk downloaded other bytes');
    rows.push({
      client: 'openstacksdk',
      hops: 0,
      upMiBs: mib / measured.upload_s,
      downMiBs: mib / measured.download_s,
      rssGrowthMiB: [],
    });
  } finally {
    await sim.close();
    await rm(source, { force: true });
    await rm(target, { force: true });
  }
  const table = markdownTable(
    ['client', 'hops', 'upload MiB/s', 'download MiB/s', 'peak RSS growth MiB (owner, relays)'],
    rows.map((r) => [
      r.client,
      String(r.hops),
      fmt(r.upMiBs, 0),
      fmt(r.downMiBs, 0),
      r.rssGrowthMiB.length
        ? r.rssGrowthMiB.map((x) => fmt(x, 0)).join(' · ')
        : `(python peak ${fmt(sdk?.peak_rss_mib, 0)})`,
    ]),
  );
  const relayGrowth = Math.max(...rows.filter((r) => r.hops === 2).flatMap((r) => r.rssGrowthMiB.slice(1)));
  return {
    name: 'objects',
    title: `Object transfer: ${mib} MiB up and down (UploadObject / DownloadObject vs create_object / get_object)`,
    table,
    targets: [`< 100 MiB peak RSS growth per relay: ${verdict(relayGrowth < 100, `${fmt(relayGrowth, 0)} MiB`)}`],
    notes: [
      `One simulated Swift (objects stored in files); the client is the TypeScript SDK (1 MiB chunks, md5 and size in the header, known up front like openstacksdk's md5 argument). openstacksdk's own md5/sha256 pass over the file took ${fmt(sdk?.checksum_s, 1)} s and is not in its upload figure.`,
      'The object is one segment at the default 1 GiB segment size (openstacksdk: one PUT below the 5 GiB max_file_size). Figures on a shared 2-core machine vary with its load.',
    ],
    raw: { rows, sdk },
  };
}
