// Glance v2 image sharing and lifecycle as a Zed Glance answers them: members (add, list, accept/reject,
// remove) with their schemas, deactivate/reactivate, and web-download import (the simulator fetches the URL
// itself, after the same URI filtering Glance applies). Kept per region object.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Ctx, Reply } from './http.ts';
import type { RouteTable } from './router.ts';
import type { Image, RegionData } from './store.ts';
import { ApiError } from './util.ts';

export interface ImageMember {
  memberId: string;
  status: 'pending' | 'accepted' | 'rejected';
  createdAt: number;
  updatedAt: number;
}

const membersByRegion = new WeakMap<RegionData, Map<string, Map<string, ImageMember>>>();

/** The members of one image (created empty on first use). */
export function membersOf(region: RegionData, imageId: string): Map<string, ImageMember> {
  let byImage = membersByRegion.get(region);
  if (!byImage) {
    byImage = new Map();
    membersByRegion.set(region, byImage);
  }
  let members = byImage.get(imageId);
  if (!members) {
    members = new Map();
    byImage.set(imageId, members);
  }
  return members;
}

/** A shared image is visible to the projects it is shared with (whatever their answer). */
export function isMember(region: RegionData, img: Image, projectId: string): boolean {
  return img.visibility === 'shared' && !!membersByRegion.get(region)?.get(img.id)?.has(projectId);
}

/** The member status a project has on an image, for Glance's member_status list filter. */
export function memberStatus(region: RegionData, img: Image, projectId: string): string | undefined {
  return membersByRegion.get(region)?.get(img.id)?.get(projectId)?.status;
}

const seconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

function memberView(imageId: string, m: ImageMember) {
  return {
    member_id: m.memberId,
    image_id: imageId,
    status: m.status,
    created_at: seconds(m.createdAt),
    updated_at: seconds(m.updatedAt),
    schema: '/v2/schemas/member',
  };
}

export const MEMBER_SCHEMA = {
  name: 'member',
  properties: {
    member_id: {
      type: 'string',
      description: 'An identifier for the image member (tenantId)',
    },
    image_id: {
      type: 'string',
      description: 'An identifier for the image',
      pattern: '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$',
    },
    created_at: {
      type: 'string',
      description: 'Date and time of image member creation',
    },
    updated_at: {
      type: 'string',
      description: 'Date and time of last modification of image member',
    },
    status: {
      type: 'string',
      description: 'The status of this image member',
      enum: ['pending', 'accepted', 'rejected'],
    },
    schema: {
      readOnly: true,
      type: 'string',
    },
  },
};

export const MEMBERS_SCHEMA = {
  name: 'members',
  properties: { members: { type: 'array', items: MEMBER_SCHEMA }, schema: { type: 'string' } },
  links: [{ rel: 'describedby', href: '{schema}' }],
};

interface ImageAccess {
  getImage(ctx: Ctx): Image;
  ownImage(ctx: Ctx): Image;
  readJsonBody(ctx: Ctx): Promise<any>;
}

/** Glance's default import filtering: http(s) only, ports 80 and 443 unless the cloud allows more. */
function filterUri(uri: string, allowedPorts: readonly number[]): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ApiError(400, `URI for web-download does not pass filtering: ${uri}`);
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (!['http:', 'https:'].includes(url.protocol) || !allowedPorts.includes(port))
    throw new ApiError(400, `URI for web-download does not pass filtering: ${uri}`);
  return url;
}

/** web-download: fetch in the background; a failure puts the image back to queued, as Glance does. */
export function webDownload(ctx: Ctx, img: Image, uri: string, allowedPorts: readonly number[]): Reply {
  const url = filterUri(uri, allowedPorts);
  if (img.status !== 'queued')
    throw new ApiError(409, `Image status transition from ${img.status} to importing is not allowed`);
  img.status = 'importing';
  img.props.os_glance_import_task = `sim-${img.id}`;
  const path = join(ctx.cloud.tempDir, `${img.id}.img`);
  void (async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const md5 = createHash('md5');
      const sha512 = createHash('sha512');
      let size = 0;
      const source = Readable.fromWeb(res.body as any);
      source.on('data', (chunk: Buffer) => {
        md5.update(chunk);
        sha512.update(chunk);
        size += chunk.length;
      });
      await pipeline(source, createWriteStream(path));
      Object.assign(img, {
        filePath: path,
        size,
        checksum: md5.digest('hex'),
        hashAlgo: 'sha512',
        hashValue: sha512.digest('hex'),
        status: 'active',
        updatedAt: Date.now(),
      });
    } catch {
      // Glance reverts the image to queued and names the stores that failed.
      img.status = 'queued';
      img.props.os_glance_failed_import = 'file';
      img.updatedAt = Date.now();
    }
  })();
  return { status: 202 };
}

function imageAction(images: ImageAccess, to: 'deactivated' | 'active') {
  return (ctx: Ctx): Reply => {
    const img = images.ownImage(ctx);
    const from = to === 'deactivated' ? 'active' : 'deactivated';
    if (img.status === to) return { status: 204 };
    if (img.status !== from)
      throw new ApiError(
        403,
        `Not allowed to ${to === 'deactivated' ? 'deactivate' : 'reactivate'} image in status '${img.status}'`,
      );
    img.status = to;
    img.updatedAt = Date.now();
    return { status: 204 };
  };
}

export function addMemberRoutes(routes: RouteTable, images: ImageAccess): void {
  routes
    .add('GET', '/schemas/member', () => ({ status: 200, body: MEMBER_SCHEMA }))
    .add('GET', '/schemas/members', () => ({ status: 200, body: MEMBERS_SCHEMA }))
    .add('POST', '/images/{id}/actions/deactivate', imageAction(images, 'deactivated'))
    .add('POST', '/images/{id}/actions/reactivate', imageAction(images, 'active'))
    .add('GET', '/images/{id}/members', (ctx) => {
      const img = images.getImage(ctx);
      const members = [...membersOf(ctx.region, img.id).values()].filter(
        (m) => img.owner === ctx.projectId || ctx.user?.isAdmin || m.memberId === ctx.projectId,
      );
      return {
        status: 200,
        body: { members: members.map((m) => memberView(img.id, m)), schema: '/v2/schemas/members' },
      };
    })
    .add('POST', '/images/{id}/members', async (ctx) => {
      const img = images.ownImage(ctx);
      const body = await images.readJsonBody(ctx);
      const memberId = String(body?.member ?? '').trim();
      if (!memberId) throw new ApiError(400, 'Member to be added not specified');
      if (img.visibility !== 'shared') throw new ApiError(403, 'Only shared images have members.');
      const members = membersOf(ctx.region, img.id);
      if (members.has(memberId)) throw new ApiError(409, `Member ${memberId} is duplicated for image ${img.id}`);
      const now = Date.now();
      const member: ImageMember = { memberId, status: 'pending', createdAt: now, updatedAt: now };
      members.set(memberId, member);
      return { status: 200, body: memberView(img.id, member) };
    })
    .add('GET', '/images/{id}/members/{member}', (ctx) => {
      const img = images.getImage(ctx);
      const m = membersOf(ctx.region, img.id).get(ctx.params.member);
      if (!m || (img.owner !== ctx.projectId && !ctx.user?.isAdmin && m.memberId !== ctx.projectId))
        throw new ApiError(404, `Not found`);
      return { status: 200, body: memberView(img.id, m) };
    })
    .add('PUT', '/images/{id}/members/{member}', async (ctx) => {
      const img = images.getImage(ctx);
      const m = membersOf(ctx.region, img.id).get(ctx.params.member);
      if (!m) throw new ApiError(404, `Not found`);
      if (m.memberId !== ctx.projectId && !ctx.user?.isAdmin)
        throw new ApiError(403, `Not allowed to update members for image ${img.id}.`);
      const status = (await images.readJsonBody(ctx))?.status;
      if (!['pending', 'accepted', 'rejected'].includes(status))
        throw new ApiError(400, `Status must be one of pending, accepted, rejected`);
      m.status = status;
      m.updatedAt = Date.now();
      return { status: 200, body: memberView(img.id, m) };
    })
    .add('DELETE', '/images/{id}/members/{member}', (ctx) => {
      const img = images.ownImage(ctx);
      if (!membersOf(ctx.region, img.id).delete(ctx.params.member)) throw new ApiError(404, `Not found`);
      return { status: 204 };
    });
}
