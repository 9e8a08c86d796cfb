// The API reference in proto/docs is generated from the proto comments and must be current.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadDescriptorSet, renderDocs, staleDocs } from '../../../src/tools/api-docs.ts';

describe('API reference docs', () => {
  const pages = renderDocs(loadDescriptorSet());

  it('the committed proto/docs match the contract (run `npm run docs` when this fails)', () => {
    assert.deepEqual(staleDocs(pages), []);
  });

  it('has one page per oaktree service plus an index linking them', () => {
    const services = [
      'LocationService',
      'ComputeService',
      'ImageService',
      'NetworkService',
      'VolumeService',
      'LimitsService',
      'CapabilitiesService',
      'ObjectStoreService',
      'IdentityService',
      'MeshService',
    ];
    assert.deepEqual([...pages.keys()].sort(), [...services.map((s) => `${s}.md`), 'README.md'].sort());
    for (const service of services)
      assert.match(pages.get('README.md')!, new RegExp(`\\[${service}\\]\\(${service}\\.md\\)`));
  });

  it('carries RPC, message, field and enum comments, with links across pages', () => {
    const compute = pages.get('ComputeService.md')!;
    assert.match(
      compute,
      /### CreateServer\n\n```proto\nrpc CreateServer\(CreateServerRequest\) returns \(stream CreateServerResponse\);\n```\n\nCreates a server\. Without `wait`/,
    );
    assert.match(
      compute,
      /\| `location` \| \[Location\]\(LocationService\.md#location\) \| 1 \| Zone is the server's availability zone\. \|/,
    );
    assert.match(compute, /\| `server` \| \[Server\]\(#server\) \| 1 \| A server\. \(one of `item`\) \|/);
    assert.match(compute, /\| `SERVER_STATUS_ACTIVE` \| 2 \| Running \(nova ACTIVE, PASSWORD\)\. \|/);
    assert.match(compute, /\| `metadata` \| map<string, string> \| 15 \|/);
    const network = pages.get('NetworkService.md')!;
    assert.match(network, /\| `is_external` \| bool \| 5 \| .* \(optional\) \|/);
  });

  it('notices a stale, a missing and an extra page', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oaktree-docs-'));
    try {
      for (const [name, text] of pages) await writeFile(join(dir, name), text);
      assert.deepEqual(staleDocs(pages, dir), []);
      await writeFile(
        join(dir, 'ComputeService.md'),
        pages.get('ComputeService.md')!.replace('Creates a server.', 'Makes a server.'),
      );
      await rm(join(dir, 'MeshService.md'));
      await writeFile(join(dir, 'OldService.md'), '# gone\n');
      assert.deepEqual(staleDocs(pages, dir).sort(), ['ComputeService.md', 'MeshService.md', 'OldService.md']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
