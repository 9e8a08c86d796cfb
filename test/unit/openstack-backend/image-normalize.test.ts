// Image normalizer on Glance api-ref payloads, status and visibility words, accepted formats from the image schema,
// upload header checks and download re-chunking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from 'nice-grpc-common';
import { ImageStatus, ImageVisibility } from '../../../src/gen/oaktree/v1/image.ts';
import {
  glanceStatusWord,
  glanceVisibilityWord,
  imageStatus,
  normalizeImage,
} from '../../../src/backends/openstack/normalize/image.ts';
import { formatProblem, formatsFromSchema } from '../../../src/backends/openstack/image/formats.ts';
import { Methods } from '../../../src/core/methods.ts';

const route = {
  cloud: 'c1',
  region: 'RegionOne',
  zone: '',
  project: { id: 'scoped', name: 'demo', domainId: 'default', domainName: 'Default' },
};

// Glance api-ref "Show image" response (with a custom property).
const image = {
  status: 'active',
  name: 'cirros-0.3.2-x86_64-disk',
  tags: [],
  container_format: 'bare',
  created_at: '2014-05-05T17:15:10Z',
  disk_format: 'qcow2',
  updated_at: '2014-05-05T17:15:11Z',
  visibility: 'public',
  self: '/v2/images/1bea47ed-f6a9-463b-b423-14b9cca9ad27',
  min_disk: 0,
  protected: false,
  id: '1bea47ed-f6a9-463b-b423-14b9cca9ad27',
  file: '/v2/images/1bea47ed-f6a9-463b-b423-14b9cca9ad27/file',
  checksum: '64d7c1cd2b6f60c92c14662941cb7913',
  os_hash_algo: 'sha512',
  os_hash_value:
    '073b4523583784fbe01daff81eba092a262ec37ba6d04dd3f52e4cd5c93eb8258af44881345ecda0e49f3d8cc6d2df6b050ff3e72681d723234aff9d17d0cf09',
  os_hidden: false,
  owner: '5ef70662f8b34079a6eddb8da9d75fe8',
  size: 13167616,
  min_ram: 0,
  schema: '/v2/schemas/image',
  virtual_size: null,
  hw_disk_bus: 'scsi',
  os_distro: 'cirros',
};

test('image: normal fields, owner as project, custom properties kept, links dropped', () => {
  const i = normalizeImage(image, route);
  assert.equal(i.id, image.id);
  assert.equal(i.status, ImageStatus.IMAGE_STATUS_ACTIVE);
  assert.equal(i.cloudStatus, 'active');
  assert.equal(i.visibility, ImageVisibility.IMAGE_VISIBILITY_PUBLIC);
  assert.equal(i.sizeBytes, 13167616n);
  assert.equal(i.virtualSizeBytes, 0n);
  assert.equal(i.md5, '64d7c1cd2b6f60c92c14662941cb7913');
  assert.equal(i.hashAlgo, 'sha512');
  assert.equal(i.diskFormat, 'qcow2');
  assert.equal(i.containerFormat, 'bare');
  assert.equal(i.isProtected, false);
  assert.equal(i.createTime?.toISOString(), '2014-05-05T17:15:10.000Z');
  assert.deepEqual(i.location, {
    ...route,
    project: { id: '5ef70662f8b34079a6eddb8da9d75fe8', name: '', domainId: '', domainName: '' },
  });
  assert.equal(i.properties.hw_disk_bus, 'scsi');
  assert.equal(i.properties.os_distro, 'cirros');
  assert.equal(i.properties.os_hidden, 'false');
  assert.equal(i.properties.self, undefined);
  assert.equal(i.properties.checksum, undefined);
});

test('image: a queued image without data, an unknown status, a size above 2^53, v1-style is_public', () => {
  const queued = normalizeImage(
    {
      id: 'q',
      status: 'queued',
      disk_format: null,
      container_format: null,
      size: null,
      checksum: null,
      visibility: 'shared',
      owner: 'scoped',
    },
    route,
  );
  assert.equal(queued.status, ImageStatus.IMAGE_STATUS_QUEUED);
  assert.equal(queued.sizeBytes, 0n);
  assert.equal(queued.diskFormat, '');
  assert.equal(queued.visibility, ImageVisibility.IMAGE_VISIBILITY_SHARED);
  assert.deepEqual(queued.location?.project, route.project, 'the scoped project keeps its name');
  assert.equal(imageStatus('frobbed'), ImageStatus.IMAGE_STATUS_UNKNOWN);
  assert.equal(normalizeImage({ id: 'big', size: '18014398509481985' }, route).sizeBytes, 18014398509481985n);
  assert.equal(
    normalizeImage({ id: 'v1', is_public: true }, route).visibility,
    ImageVisibility.IMAGE_VISIBILITY_PUBLIC,
  );
  assert.equal(glanceStatusWord(ImageStatus.IMAGE_STATUS_PENDING_DELETE), 'pending_delete');
  assert.equal(glanceStatusWord(ImageStatus.IMAGE_STATUS_UNSPECIFIED), undefined);
  assert.equal(glanceVisibilityWord(ImageVisibility.IMAGE_VISIBILITY_COMMUNITY), 'community');
  assert.equal(glanceVisibilityWord(ImageVisibility.IMAGE_VISIBILITY_UNSPECIFIED), undefined);
});

test('accepted formats from the image schema; problems name what is accepted', () => {
  const schema = {
    properties: { disk_format: { enum: [null, 'raw', 'qcow2'] }, container_format: { enum: [null, 'bare', 'ovf'] } },
  };
  const accepted = formatsFromSchema(schema);
  assert.deepEqual(accepted, { disk: ['raw', 'qcow2'], container: ['bare', 'ovf'] });
  assert.equal(formatProblem(accepted, 'qcow2', 'bare', 'c1/RegionOne'), undefined);
  assert.match(formatProblem(accepted, 'vhd', 'bare', 'c1/RegionOne')!, /disk format "vhd"; it accepts: raw, qcow2/);
  assert.match(
    formatProblem(accepted, 'raw', 'docker', 'c1/RegionOne')!,
    /container format "docker"; it accepts: bare, ovf/,
  );
  assert.equal(formatProblem(formatsFromSchema({}), 'anything', 'goes', 'x'), undefined, 'no enum: Glance decides');
});

test('upload header checks: only properties that would pose as Glance fields are refused', () => {
  const checkHeader = (header: any) => Methods.uploadImage.validate({ part: { $case: 'header', value: header } });
  const header = (fields: object) => ({
    location: undefined,
    allMatchingLocations: false,
    name: 'n',
    diskFormat: '',
    containerFormat: '',
    visibility: 0,
    minDiskGb: 0,
    minRamMb: 0,
    tags: [],
    properties: {},
    sizeBytes: 0n,
    md5: '',
    sha256: '',
    requestId: '',
    ...fields,
  });
  assert.doesNotThrow(() =>
    checkHeader(header({ md5: 'a'.repeat(32), sha256: 'B'.repeat(64), properties: { os_distro: 'x' } })),
  );
  for (const bad of [{ properties: { name: 'other' } }, { properties: { oaktree_request_id: 'r' } }]) {
    assert.throws(
      () => checkHeader(header(bad)),
      (e: any) => e.grpcCode === Status.INVALID_ARGUMENT,
    );
  }
});
