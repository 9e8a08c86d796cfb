// Block-storage write scenarios (issue 15, part 2), run against the simulator (npm test) and the real cloud
// (npm run test:real) alike: volume update, extend, retype errors, snapshots, volumes from snapshots and
// volumes, streamed waits, backups where the cloud has no backup service, and the bad-input answers.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createClient } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { parse, stringify } from 'yaml';
import { VolumeBackupSupport } from '../../src/gen/oaktree/v1/capabilities.ts';
import { IdentityServiceDefinition } from '../../src/gen/oaktree/v1/identity.ts';
import {
  ImageMemberStatus,
  ImageStatus,
  ImageVisibility,
  type UploadImageRequest,
} from '../../src/gen/oaktree/v1/image.ts';
import { VolumeSnapshotStatus, VolumeStatus, type Volume } from '../../src/gen/oaktree/v1/volume.ts';
import { collect } from '../support/node.ts';
import { openTarget, type ScenarioTarget } from './target.ts';

const objects = <T>(items: any[], key: string): T[] =>
  items.filter((i) => i.item?.$case === key).map((i) => i.item.value as T);

async function quietly(fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch {
    // already gone, or never made
  }
}

const rejectsWith = (code: Status, pattern: RegExp) => (e: any) => {
  assert.equal(e.code, code, `expected ${Status[code]}, got ${Status[e.code]}: ${e.details}`);
  assert.match(e.details, pattern);
  return true;
};

export function defineStorageScenarios(label: string, target: () => ScenarioTarget) {
  describe(`block storage scenarios on ${label}`, { concurrency: false }, () => {
    const name = (t: ScenarioTarget, what: string) => `s3-storage-${t.prefix}-${what}`;

    async function volume(t: ScenarioTarget, what: string, extra: Record<string, unknown> = {}): Promise<Volume> {
      const res = await t.api.volume.createVolume({
        location: t.where,
        name: name(t, what),
        sizeGb: 1,
        wait: true,
        ...extra,
      });
      return res.volume!;
    }

    test('volumes: update name, description, metadata, bootable and read-only; extend', async () => {
      const t = target();
      const v = await volume(t, 'upd', { metadata: { keep: '1', drop: '2' } });
      try {
        const { volume: updated } = await t.api.volume.updateVolume({
          location: t.where,
          nameOrId: v.id,
          name: name(t, 'upd2'),
          description: 'changed by oaktree',
          metadata: { added: 'yes' },
          removeMetadata: ['drop'],
          isBootable: true,
          isReadOnly: true,
        });
        assert.equal(updated?.name, name(t, 'upd2'));
        assert.equal(updated?.description, 'changed by oaktree');
        assert.equal(updated?.isBootable, true);
        assert.equal(updated?.metadata.keep, '1');
        assert.equal(updated?.metadata.added, 'yes');
        assert.equal(updated?.metadata.drop, undefined);
        assert.equal(updated?.metadata.readonly, 'True', 'Cinder shows the read-only flag as metadata');

        await assert.rejects(
          t.api.volume.extendVolume({ location: t.where, nameOrId: v.id, sizeGb: 1 }),
          rejectsWith(Status.INVALID_ARGUMENT, /is 1 GiB; size_gb must be larger/),
        );
        await assert.rejects(
          t.api.volume.retypeVolume({ location: t.where, nameOrId: v.id, volumeType: 's3-storage-no-such-type' }),
          rejectsWith(Status.NOT_FOUND, /s3-storage-no-such-type/),
        );
        try {
          const { volume: grown } = await t.api.volume.extendVolume({
            location: t.where,
            nameOrId: v.id,
            sizeGb: 2,
            wait: true,
          });
          assert.equal(grown?.sizeGb, 2);
          assert.equal(grown?.status, VolumeStatus.VOLUME_STATUS_AVAILABLE);
        } catch (error: any) {
          // The real cloud's fake Cinder driver cannot extend: the volume goes to error_extending.
          assert.equal(error.code, Status.ABORTED, error.details);
          assert.match(error.details, /went to error_extending while being extended/);
        }
      } finally {
        await quietly(() => t.api.volume.deleteVolume({ location: t.where, nameOrId: v.id, wait: true }));
      }
    });

    test('snapshots: create, list, update; volumes from a snapshot and from a volume; delete refusals', async () => {
      const t = target();
      const v = await volume(t, 'src');
      const made: string[] = [];
      let snapshotId = '';
      try {
        const { snapshot } = await t.api.volume.createVolumeSnapshot({
          location: t.where,
          volume: v.id,
          name: name(t, 'snap'),
          metadata: { purpose: 'scenario' },
          wait: true,
          requestId: `${t.prefix}-snap`.slice(0, 36),
        });
        snapshotId = snapshot!.id;
        assert.equal(snapshot?.status, VolumeSnapshotStatus.VOLUME_SNAPSHOT_STATUS_AVAILABLE);
        assert.equal(snapshot?.volumeId, v.id);
        assert.equal(snapshot?.sizeGb, 1);
        assert.equal(snapshot?.location?.cloud, t.cloud);
        const again = await t.api.volume.createVolumeSnapshot({
          location: t.where,
          volume: v.id,
          name: name(t, 'snap'),
          requestId: `${t.prefix}-snap`.slice(0, 36),
        });
        assert.equal(again.snapshot?.id, snapshotId, 'a retried request_id returns the first snapshot');

        const listed = objects<any>(
          await collect(t.api.volume.listVolumeSnapshots({ location: t.where, volumeId: v.id, strict: true })),
          'snapshot',
        );
        assert.deepEqual(
          listed.map((s) => s.id),
          [snapshotId],
        );
        const { snapshot: renamed } = await t.api.volume.updateVolumeSnapshot({
          location: t.where,
          nameOrId: name(t, 'snap'),
          name: name(t, 'snap2'),
          description: 'renamed',
          metadata: { more: 'x' },
        });
        assert.equal(renamed?.name, name(t, 'snap2'));
        assert.equal(renamed?.description, 'renamed');
        assert.equal(renamed?.metadata.more, 'x');
        const { snapshot: got } = await t.api.volume.getVolumeSnapshot({
          location: t.where,
          nameOrId: name(t, 'snap2'),
        });
        assert.equal(got?.id, snapshotId);

        await assert.rejects(
          t.api.volume.deleteVolume({ location: t.where, nameOrId: v.id }),
          rejectsWith(Status.FAILED_PRECONDITION, new RegExp(`has snapshots \\(${snapshotId}\\); delete them first`)),
        );

        const fromSnapshot = await volume(t, 'from-snap', { sizeGb: 0, snapshot: snapshotId });
        made.push(fromSnapshot.id);
        assert.equal(fromSnapshot.sizeGb, 1, 'sized from the snapshot');
        assert.equal(fromSnapshot.properties.snapshot_id, snapshotId);
        const copy = await volume(t, 'copy', { sizeGb: 0, sourceVolume: v.id });
        made.push(copy.id);
        assert.equal(copy.properties.source_volid, v.id);
      } finally {
        for (const id of made)
          await quietly(() => t.api.volume.deleteVolume({ location: t.where, nameOrId: id, wait: true }));
        if (snapshotId)
          await quietly(() =>
            t.api.volume.deleteVolumeSnapshot({ location: t.where, nameOrId: snapshotId, wait: true }),
          );
        await quietly(() => t.api.volume.deleteVolume({ location: t.where, nameOrId: v.id, wait: true }));
      }
      const left = objects<any>(
        await collect(t.api.volume.listVolumeSnapshots({ location: t.where, volumeId: v.id })),
        'snapshot',
      );
      assert.equal(left.length, 0, 'the snapshot is gone');
    });

    test('bad input: a snapshot of a missing volume, a volume from a missing snapshot, two sources', async () => {
      const t = target();
      await assert.rejects(
        t.api.volume.createVolumeSnapshot({ location: t.where, volume: name(t, 'missing') }),
        rejectsWith(Status.NOT_FOUND, new RegExp(`volume.*${name(t, 'missing')}`)),
      );
      await assert.rejects(
        t.api.volume.createVolume({ location: t.where, snapshot: name(t, 'no-snap') }),
        rejectsWith(Status.NOT_FOUND, new RegExp(`snapshot.*${name(t, 'no-snap')}`)),
      );
      await assert.rejects(
        t.api.volume.createVolume({ location: t.where, snapshot: 'a', sourceVolume: 'b' }),
        rejectsWith(Status.INVALID_ARGUMENT, /at most one of image, snapshot and source_volume/),
      );
      await assert.rejects(
        t.api.volume.extendVolume({ location: t.where, nameOrId: 'x' }),
        rejectsWith(Status.INVALID_ARGUMENT, /size_gb is required/),
      );
    });

    test('WaitForVolume streams states until available, then until deleted', async () => {
      const t = target();
      const { volume: v } = await t.api.volume.createVolume({ location: t.where, name: name(t, 'wait'), sizeGb: 1 });
      try {
        const states = await collect(t.api.volume.waitForVolume({ location: t.where, nameOrId: v!.id }));
        const last = states.at(-1)!;
        assert.equal(last.done, true);
        assert.equal(last.volume?.status, VolumeStatus.VOLUME_STATUS_AVAILABLE);
        assert.ok(states.slice(0, -1).every((s) => !s.done));
        const stream = t.api.volume
          .waitForVolume({ location: t.where, nameOrId: v!.id, untilDeleted: true })
          [Symbol.asyncIterator]();
        // The first message is the state the shared poller saw: the wait is subscribed before the delete.
        const first = await stream.next();
        assert.equal(first.value?.deleted, false);
        await t.api.volume.deleteVolume({ location: t.where, nameOrId: v!.id });
        const rest: any[] = [];
        for (let next = await stream.next(); !next.done; next = await stream.next()) rest.push(next.value);
        const end = rest.at(-1)!;
        assert.equal(end.deleted, true);
        assert.equal(end.done, true);
        assert.equal(end.volume?.id, v!.id);
      } finally {
        await quietly(() => t.api.volume.deleteVolume({ location: t.where, nameOrId: v!.id }));
      }
    });

    test('volume types and the backup capability', async () => {
      const t = target();
      const types = objects<any>(
        await collect(t.api.volume.listVolumeTypes({ location: t.where, strict: true })),
        'volumeType',
      );
      assert.ok(types.some((ty) => ty.name === '__DEFAULT__'));
      const [caps] = objects<any>(
        await collect(t.api.capabilities.listCapabilities({ location: t.where, strict: true })),
        'capabilities',
      );
      assert.ok(caps.volume.backupsReason, 'capabilities say why backups are (not) known');
    });

    test('backups where clouds.yaml says there is no backup service: refused, nothing created', async () => {
      const t = target();
      const dir = await mkdtemp(join(tmpdir(), 's3-storage-nobackup-'));
      const doc = parse(await readFile(t.cloudsYaml, 'utf8'));
      const entry = { ...doc.clouds[t.cloud], volume_backup_service: false };
      await writeFile(join(dir, 'clouds.yaml'), stringify({ clouds: { [t.cloud]: entry } }));
      const other = await openTarget({ ...t, label: `${t.label}-nobackup`, cloudsYaml: join(dir, 'clouds.yaml') });
      const v = await volume(other, 'bk');
      try {
        const [caps] = objects<any>(
          await collect(other.api.capabilities.listCapabilities({ location: other.where, strict: true })),
          'capabilities',
        );
        assert.equal(caps.volume.backups, VolumeBackupSupport.VOLUME_BACKUP_SUPPORT_ABSENT);
        await assert.rejects(
          other.api.volume.createVolumeBackup({ location: other.where, volume: v.id, name: name(t, 'bk') }),
          rejectsWith(Status.FAILED_PRECONDITION, /has no volume backup service.*nothing was created/),
        );
        const backups = objects<any>(
          await collect(other.api.volume.listVolumeBackups({ location: other.where, volumeId: v.id, strict: true })),
          'backup',
        );
        assert.equal(backups.length, 0);
      } finally {
        await quietly(() => other.api.volume.deleteVolume({ location: other.where, nameOrId: v.id, wait: true }));
        await other.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe(`identity scenarios on ${label}`, { concurrency: false }, () => {
    test('WhoAmI names the user, the scoped project and its roles; ListProjects includes the scoped project', async () => {
      const t = target();
      const identity = createClient(IdentityServiceDefinition, t.api.channel);
      const [caller] = objects<any>(await collect(identity.whoAmI({ location: t.where, strict: true })), 'caller');
      assert.ok(caller.userId, 'the user id comes from the token');
      assert.ok(caller.userName);
      assert.ok(caller.location.project.id);
      assert.ok(caller.roles.length > 0, 'the token carries roles');
      assert.equal(caller.isAdmin, caller.roles.includes('admin'));
      assert.ok(caller.tokenExpireTime.getTime() > Date.now());
      const projects = objects<any>(
        await collect(identity.listProjects({ location: t.where, strict: true })),
        'project',
      );
      const current = projects.filter((p) => p.isCurrent);
      assert.equal(current.length, 1);
      assert.equal(current[0].id, caller.location.project.id);
      const byName = objects<any>(
        await collect(identity.listProjects({ location: t.where, nameOrId: current[0].name })),
        'project',
      );
      assert.deepEqual(
        byName.map((p) => p.id),
        [current[0].id],
      );
    });

    test('a wrong password: WhoAmI is an in-band UNAUTHENTICATED item', async () => {
      const t = target();
      const identity = createClient(IdentityServiceDefinition, t.api.channel);
      const items = await collect(identity.whoAmI({ location: { cloud: t.badCloud } }));
      const errors = items.filter((i: any) => i.item?.$case === 'error').map((i: any) => i.item.value);
      assert.equal(errors.length, 1);
      assert.equal(errors[0].code, Status.UNAUTHENTICATED);
    });
  });

  describe(`image scenarios on ${label}`, { concurrency: false }, () => {
    const imageName = (t: ScenarioTarget, what: string) => `s3-storage-${t.prefix}-img-${what}`;

    async function upload(t: ScenarioTarget, name: string) {
      async function* parts(): AsyncGenerator<UploadImageRequest> {
        yield {
          part: {
            $case: 'header',
            value: { location: t.where, name, diskFormat: 'raw', containerFormat: 'bare' } as any,
          },
        };
        yield { part: { $case: 'chunk', value: Buffer.alloc(1024, 7) } };
      }
      const result = await t.api.image.uploadImage(parts());
      const image = result.results[0]?.image;
      assert.ok(image?.id, JSON.stringify(result.results[0]?.error));
      return image;
    }

    test('images: update fields, tags and properties; protected refuses delete; deactivate and reactivate', async () => {
      const t = target();
      const image = await upload(t, imageName(t, 'upd'));
      try {
        const { image: updated } = await t.api.image.updateImage({
          location: t.where,
          nameOrId: image.id,
          name: imageName(t, 'upd2'),
          minDiskGb: 1,
          minRamMb: 64,
          addTags: ['s3-storage', 'keep'],
          properties: { os_distro: 'cirros', scratch: 'x' },
          isProtected: true,
        });
        assert.equal(updated?.name, imageName(t, 'upd2'));
        assert.equal(updated?.minDiskGb, 1);
        assert.equal(updated?.minRamMb, 64);
        assert.deepEqual([...(updated?.tags ?? [])].sort(), ['keep', 's3-storage']);
        assert.equal(updated?.properties.os_distro, 'cirros');
        assert.equal(updated?.isProtected, true);
        const { image: trimmed } = await t.api.image.updateImage({
          location: t.where,
          nameOrId: image.id,
          removeTags: ['keep'],
          removeProperties: ['scratch'],
        });
        assert.deepEqual(trimmed?.tags, ['s3-storage']);
        assert.equal(trimmed?.properties.scratch, undefined);
        await assert.rejects(
          t.api.image.deleteImage({ location: t.where, nameOrId: image.id }),
          rejectsWith(Status.FAILED_PRECONDITION, /is protected/),
        );
        await t.api.image.updateImage({ location: t.where, nameOrId: image.id, isProtected: false });

        const { image: off } = await t.api.image.deactivateImage({ location: t.where, nameOrId: image.id });
        assert.equal(off?.status, ImageStatus.IMAGE_STATUS_DEACTIVATED);
        const { image: on } = await t.api.image.reactivateImage({ location: t.where, nameOrId: image.id });
        assert.equal(on?.status, ImageStatus.IMAGE_STATUS_ACTIVE);
        const states = await collect(t.api.image.waitForImage({ location: t.where, nameOrId: image.id }));
        assert.equal(states.at(-1)?.done, true);
        assert.equal(states.at(-1)?.image?.status, ImageStatus.IMAGE_STATUS_ACTIVE);
      } finally {
        await quietly(() => t.api.image.updateImage({ location: t.where, nameOrId: image.id, isProtected: false }));
        await quietly(() => t.api.image.deleteImage({ location: t.where, nameOrId: image.id }));
      }
    });

    test('images: share with a project (members add, list, refuse a duplicate, remove)', async () => {
      const t = target();
      const image = await upload(t, imageName(t, 'share'));
      const project = `s3storage${t.prefix.replace(/[^a-z0-9]/g, '')}`;
      try {
        await t.api.image.updateImage({
          location: t.where,
          nameOrId: image.id,
          visibility: ImageVisibility.IMAGE_VISIBILITY_PRIVATE,
        });
        await assert.rejects(
          t.api.image.addImageMember({ location: t.where, nameOrId: image.id, memberId: project }),
          rejectsWith(Status.FAILED_PRECONDITION, /only a shared image has members/),
        );
        await t.api.image.updateImage({
          location: t.where,
          nameOrId: image.id,
          visibility: ImageVisibility.IMAGE_VISIBILITY_SHARED,
        });
        const { member } = await t.api.image.addImageMember({
          location: t.where,
          nameOrId: image.id,
          memberId: project,
        });
        assert.equal(member?.memberId, project);
        assert.equal(member?.imageId, image.id);
        assert.equal(member?.status, ImageMemberStatus.IMAGE_MEMBER_STATUS_PENDING);
        await assert.rejects(
          t.api.image.addImageMember({ location: t.where, nameOrId: image.id, memberId: project }),
          rejectsWith(Status.ALREADY_EXISTS, /duplicated/),
        );
        const members = objects<any>(
          await collect(t.api.image.listImageMembers({ location: t.where, image: image.id, strict: true })),
          'member',
        );
        assert.deepEqual(
          members.map((m) => m.memberId),
          [project],
        );
        await assert.rejects(
          t.api.image.updateImageMember({
            location: t.where,
            nameOrId: image.id,
            memberId: project,
            status: ImageMemberStatus.IMAGE_MEMBER_STATUS_ACCEPTED,
          }),
          rejectsWith(Status.PERMISSION_DENIED, /only project .* itself may accept or reject/),
        );
        await t.api.image.removeImageMember({ location: t.where, nameOrId: image.id, memberId: project });
        await assert.rejects(
          t.api.image.removeImageMember({ location: t.where, nameOrId: image.id, memberId: project }),
          rejectsWith(Status.NOT_FOUND, /is not a member of image/),
        );
      } finally {
        await quietly(() => t.api.image.deleteImage({ location: t.where, nameOrId: image.id }));
      }
    });

    test('images: upload through glance-direct (stage, then import) ends ACTIVE with the same bytes', async () => {
      const t = target();
      const data = Buffer.alloc(64 * 1024 + 5, 3);
      async function* parts(): AsyncGenerator<UploadImageRequest> {
        yield {
          part: {
            $case: 'header',
            value: {
              location: t.where,
              name: imageName(t, 'direct'),
              diskFormat: 'raw',
              containerFormat: 'bare',
              uploadMethod: 'glance-direct',
            } as any,
          },
        };
        yield { part: { $case: 'chunk', value: data } };
      }
      const result = await t.api.image.uploadImage(parts());
      const image = result.results[0]?.image;
      try {
        assert.ok(image?.id, JSON.stringify(result.results[0]?.error));
        assert.equal(image.status, ImageStatus.IMAGE_STATUS_ACTIVE);
        assert.equal(image.sizeBytes, BigInt(data.length));
        assert.equal(image.md5, createHash('md5').update(data).digest('hex'));
      } finally {
        if (image?.id) await quietly(() => t.api.image.deleteImage({ location: t.where, nameOrId: image.id }));
      }
    });

    test('images: web-download from a URL the cloud refuses to fetch: INVALID_ARGUMENT, nothing left', async () => {
      const t = target();
      const name = imageName(t, 'import');
      await assert.rejects(
        collect(
          t.api.image.importImage({
            location: t.where,
            name,
            diskFormat: 'raw',
            containerFormat: 'bare',
            uri: 'http://127.0.0.1:1/s3-storage-nothing-here',
          }),
        ),
        rejectsWith(Status.INVALID_ARGUMENT, /refused the import URL.*the image it made was deleted/),
      );
      const left = objects<any>(await collect(t.api.image.listImages({ location: t.where, nameOrId: name })), 'image');
      assert.equal(left.length, 0);
      await assert.rejects(
        collect(t.api.image.importImage({ location: t.where, name, uri: 'ftp://example.com/x' })),
        rejectsWith(Status.INVALID_ARGUMENT, /uri must be an http/),
      );
      await assert.rejects(
        collect(t.api.image.listImageMembers({ location: t.where, image: ' ' })),
        rejectsWith(Status.INVALID_ARGUMENT, /image is required/),
      );
    });
  });
}
