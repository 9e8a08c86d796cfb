// Glance v2: images with streamed upload/download through temp files (md5 + sha512 computed while streaming),
// json-patch updates, schemas, import info, and glance-direct import.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ServiceModule } from './cloud-runtime.ts';
import { intParam, readBody, type Ctx, type Reply } from './http.ts';
import { RouteTable } from './router.ts';
import type { Image } from './store.ts';
import { ApiError, isoSeconds, uuid } from './util.ts';
import { addMemberRoutes, isMember, memberStatus, webDownload } from './glance-members.ts';

const CORE_FIELDS = new Set([
  'id',
  'name',
  'status',
  'visibility',
  'protected',
  'os_hidden',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'owner',
  'size',
  'virtual_size',
  'min_ram',
  'min_disk',
  'disk_format',
  'container_format',
  'created_at',
  'updated_at',
  'tags',
  'self',
  'file',
  'schema',
  'direct_url',
  'locations',
]);
const READ_ONLY = new Set([
  'id',
  'status',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'size',
  'virtual_size',
  'created_at',
  'updated_at',
  'self',
  'file',
  'schema',
  'owner',
  'direct_url',
  'locations',
]);

function imageView(img: Image): Record<string, unknown> {
  return {
    ...img.props,
    id: img.id,
    name: img.name,
    status: img.status,
    visibility: img.visibility,
    protected: img.protected,
    os_hidden: img.hidden,
    checksum: img.checksum,
    os_hash_algo: img.hashAlgo,
    os_hash_value: img.hashValue,
    owner: img.owner,
    size: img.size,
    virtual_size: img.virtualSize,
    min_ram: img.minRam,
    min_disk: img.minDisk,
    disk_format: img.diskFormat,
    container_format: img.containerFormat,
    created_at: isoSeconds(img.createdAt),
    updated_at: isoSeconds(img.updatedAt),
    tags: [...img.tags],
    self: `/v2/images/${img.id}`,
    file: `/v2/images/${img.id}/file`,
    schema: '/v2/schemas/image',
  };
}

function canSee(ctx: Ctx, img: Image): boolean {
  return (
    img.visibility === 'public' ||
    img.visibility === 'community' ||
    img.owner === ctx.projectId ||
    !!ctx.user?.isAdmin ||
    isMember(ctx.region, img, ctx.projectId)
  );
}

function getImage(ctx: Ctx): Image {
  const img = ctx.region.images.get(ctx.params.id);
  if (!img || !canSee(ctx, img)) throw new ApiError(404, `No image found with ID ${ctx.params.id}`);
  return img;
}

function ownImage(ctx: Ctx): Image {
  const img = getImage(ctx);
  if (img.owner !== ctx.projectId && !ctx.user?.isAdmin)
    throw new ApiError(403, 'You are not permitted to modify this image.');
  return img;
}

async function readJsonBody(ctx: Ctx): Promise<any> {
  const raw = await readBody(ctx.req);
  try {
    return JSON.parse(raw.toString('utf8') || 'null');
  } catch {
    throw new ApiError(400, 'Malformed JSON in request body.');
  }
}

function listImages(ctx: Ctx): Reply {
  const q = ctx.query;
  const max = ctx.cloud.opts.maxPageSize;
  const limit = Math.min(intParam(ctx, 'limit') ?? 25, max);
  const conditions: Array<(i: Image) => boolean> = [(i) => canSee(ctx, i)];
  // Images shared with the caller are listed once accepted, unless member_status asks otherwise (as Glance).
  const wantedMember = q.get('member_status') ?? 'accepted';
  conditions.push(
    (i) =>
      i.owner === ctx.projectId ||
      i.visibility !== 'shared' ||
      !!ctx.user?.isAdmin ||
      wantedMember === 'all' ||
      memberStatus(ctx.region, i, ctx.projectId) === wantedMember,
  );
  const eq = (param: string, get: (i: Image) => unknown) => {
    const v = q.get(param);
    if (v !== null) conditions.push((i) => String(get(i)) === v);
  };
  eq('name', (i) => i.name);
  eq('status', (i) => i.status);
  eq('owner', (i) => i.owner);
  eq('disk_format', (i) => i.diskFormat);
  eq('container_format', (i) => i.containerFormat);
  const visibility = q.get('visibility');
  if (visibility !== null && visibility !== 'all') conditions.push((i) => i.visibility === visibility);
  if (visibility === null) conditions.push((i) => i.visibility !== 'community' || i.owner === ctx.projectId);
  if (q.get('os_hidden') !== 'true') conditions.push((i) => !i.hidden);
  for (const tag of q.getAll('tag')) conditions.push((i) => i.tags.includes(tag));
  for (const [key, value] of q) {
    if (
      !['limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'tag', 'visibility', 'os_hidden', 'member_status'].includes(
        key,
      ) &&
      !CORE_FIELDS.has(key)
    ) {
      conditions.push((i) => String(i.props[key]) === value);
    }
  }
  const marker = q.get('marker') ?? undefined;
  const page = ctx.region.images.page({ marker, limit, descending: true, where: (i) => conditions.every((c) => c(i)) });
  if (!page) throw new ApiError(400, `Invalid marker ${marker}. Image could not be found.`);
  const body: Record<string, unknown> = {
    images: page.items.map(imageView),
    first: '/v2/images',
    schema: '/v2/schemas/images',
  };
  if (page.more) {
    const next = new URLSearchParams(q);
    next.set('marker', page.items[page.items.length - 1].id);
    next.set('limit', String(limit));
    body.next = `/v2/images?${next}`;
  }
  return { status: 200, body };
}

function checkFormats(ctx: Ctx, disk: unknown, container: unknown): void {
  const opts = ctx.cloud.opts;
  if (disk !== undefined && disk !== null && !opts.diskFormats.includes(String(disk)))
    throw new ApiError(400, `Invalid value '${disk}' for disk_format`);
  if (container !== undefined && container !== null && !opts.containerFormats.includes(String(container)))
    throw new ApiError(400, `Invalid value '${container}' for container_format`);
}

async function createImage(ctx: Ctx): Promise<Reply> {
  const spec = await readJsonBody(ctx);
  if (!spec || typeof spec !== 'object' || Array.isArray(spec))
    throw new ApiError(400, 'Malformed JSON in request body.');
  for (const key of Object.keys(spec))
    if (READ_ONLY.has(key) && key !== 'id') throw new ApiError(403, `Attribute '${key}' is read-only.`);
  checkFormats(ctx, spec.disk_format, spec.container_format);
  const visibility = spec.visibility ?? 'shared';
  if (!['public', 'private', 'shared', 'community'].includes(visibility))
    throw new ApiError(400, `Invalid visibility value: ${visibility}`);
  if (spec.id !== undefined && ctx.region.images.has(spec.id))
    throw new ApiError(409, `Image with identifier ${spec.id} already exists!`);
  const now = Date.now();
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec))
    if (!CORE_FIELDS.has(k) && k !== 'protected' && k !== 'os_hidden') props[k] = v;
  const img: Image = {
    id: spec.id ?? uuid(),
    name: spec.name ?? null,
    status: 'queued',
    visibility,
    owner: ctx.projectId,
    diskFormat: spec.disk_format ?? null,
    containerFormat: spec.container_format ?? null,
    size: null,
    virtualSize: null,
    checksum: null,
    hashAlgo: null,
    hashValue: null,
    minRam: Number(spec.min_ram ?? 0),
    minDisk: Number(spec.min_disk ?? 0),
    protected: !!spec.protected,
    hidden: !!spec.os_hidden,
    tags: Array.isArray(spec.tags) ? spec.tags.map(String) : [],
    props,
    createdAt: now,
    updatedAt: now,
  };
  ctx.region.images.add(img);
  return { status: 201, body: imageView(img), headers: { Location: `${ctx.serviceBase}/v2/images/${img.id}` } };
}

const PATCH_TYPE = 'application/openstack-images-v2.1-json-patch';

async function patchImage(ctx: Ctx): Promise<Reply> {
  const img = ownImage(ctx);
  const type = String(ctx.req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim();
  if (type !== PATCH_TYPE && type !== 'application/openstack-images-v2.0-json-patch') {
    throw new ApiError(415, `Unsupported Content-Type`);
  }
  const ops = await readJsonBody(ctx);
  if (!Array.isArray(ops)) throw new ApiError(400, 'Request body must be a JSON array of operation objects.');
  for (const op of ops) {
    const path = typeof op?.path === 'string' ? op.path.replace(/^\//, '').replace(/~1/g, '/').replace(/~0/g, '~') : '';
    if (!path || !['add', 'replace', 'remove'].includes(op.op))
      throw new ApiError(
        400,
        'Unable to find `op` in JSON Schema change. It must be one of the following: add, remove, replace.',
      );
    if (READ_ONLY.has(path)) throw new ApiError(403, `Attribute '${path}' is read-only.`);
    const value = op.value;
    const set = (v: unknown) => {
      switch (path) {
        case 'name':
          img.name = v === undefined ? null : (v as string);
          break;
        case 'visibility':
          img.visibility = String(v);
          break;
        case 'protected':
          img.protected = !!v;
          break;
        case 'os_hidden':
          img.hidden = !!v;
          break;
        case 'min_ram':
          img.minRam = Number(v ?? 0);
          break;
        case 'min_disk':
          img.minDisk = Number(v ?? 0);
          break;
        case 'tags':
          img.tags = Array.isArray(v) ? v.map(String) : [];
          break;
        case 'disk_format':
          checkFormats(ctx, v, undefined);
          img.diskFormat = (v as string) ?? null;
          break;
        case 'container_format':
          checkFormats(ctx, undefined, v);
          img.containerFormat = (v as string) ?? null;
          break;
        default:
          if (v === undefined) {
            if (!(path in img.props)) throw new ApiError(409, `Property ${path} does not exist.`);
            delete img.props[path];
          } else img.props[path] = v;
      }
    };
    set(op.op === 'remove' ? undefined : value);
  }
  img.updatedAt = Date.now();
  return { status: 200, body: imageView(img) };
}

/** Streams the request body into a temp file, hashing on the way; never holds the image in memory. */
async function receiveData(
  ctx: Ctx,
  img: Image,
  target: string,
): Promise<{ size: number; md5: string; sha512: string }> {
  const md5 = createHash('md5');
  const sha512 = createHash('sha512');
  let size = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, done) {
      md5.update(chunk);
      sha512.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const partial = `${target}.partial`;
  try {
    await pipeline(ctx.req, hasher, createWriteStream(partial));
    await rename(partial, target);
  } catch (err) {
    await rm(partial, { force: true });
    img.status = 'queued';
    throw err;
  }
  return { size, md5: md5.digest('hex'), sha512: sha512.digest('hex') };
}

async function uploadImage(ctx: Ctx): Promise<Reply> {
  const img = ownImage(ctx);
  if (img.status !== 'queued' && img.status !== 'uploading')
    throw new ApiError(409, `Image status transition from ${img.status} to saving is not allowed`);
  if (!img.diskFormat || !img.containerFormat)
    throw new ApiError(400, 'Properties disk_format, container_format must be set prior to saving data.');
  img.status = 'saving';
  const path = join(ctx.cloud.tempDir, `${img.id}.img`);
  const result = await receiveData(ctx, img, path);
  if (!ctx.region.images.has(img.id)) {
    await rm(path, { force: true });
    throw new ApiError(410, 'Image was deleted during upload.');
  }
  // Glance's format inspector fills virtual_size; for raw data it is the data's size.
  const virtualSize = img.diskFormat === 'raw' ? result.size : null;
  Object.assign(img, {
    filePath: path,
    size: result.size,
    virtualSize,
    checksum: result.md5,
    hashAlgo: 'sha512',
    hashValue: result.sha512,
    status: 'active',
    updatedAt: Date.now(),
  });
  return { status: 204 };
}

async function stageImage(ctx: Ctx): Promise<Reply> {
  const img = ownImage(ctx);
  if (img.status !== 'queued') throw new ApiError(409, `Image ${img.id} is not in queued state.`);
  img.status = 'uploading';
  const path = join(ctx.cloud.tempDir, `${img.id}.staged`);
  const result = await receiveData(ctx, img, path);
  Object.assign(img, { stagedPath: path, size: result.size, updatedAt: Date.now() });
  return { status: 204 };
}

async function importImage(ctx: Ctx): Promise<Reply> {
  const img = ownImage(ctx);
  const body = await readJsonBody(ctx);
  const method = body?.method?.name;
  if (!ctx.cloud.opts.importMethods.includes(method))
    throw new ApiError(400, `Import method ${method} is not valid for this cloud.`);
  if (method === 'web-download')
    return webDownload(ctx, img, String(body?.method?.uri ?? ''), ctx.cloud.opts.importAllowedPorts);
  if (method !== 'glance-direct') throw new ApiError(400, `Import method ${method} is not supported by the simulator.`);
  if (img.status !== 'uploading' || !img.stagedPath) throw new ApiError(409, `Image ${img.id} has no staged data.`);
  img.status = 'importing';
  const staged = img.stagedPath;
  const finalPath = join(ctx.cloud.tempDir, `${img.id}.img`);
  const md5 = createHash('md5');
  const sha512 = createHash('sha512');
  for await (const chunk of createReadStream(staged)) {
    md5.update(chunk as Buffer);
    sha512.update(chunk as Buffer);
  }
  await rename(staged, finalPath);
  Object.assign(img, {
    stagedPath: undefined,
    filePath: finalPath,
    checksum: md5.digest('hex'),
    hashAlgo: 'sha512',
    hashValue: sha512.digest('hex'),
    status: 'active',
    updatedAt: Date.now(),
  });
  return { status: 202 };
}

// biome-ignore lint/suspicious/noConfusingVoidType: a streamed download answers itself and returns nothing
async function downloadImage(ctx: Ctx): Promise<Reply | void> {
  const img = getImage(ctx);
  if (img.status !== 'active' || (!img.filePath && !img.synthetic)) return { status: 204 };
  const headers = {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(img.size),
    'Content-MD5': img.checksum as string,
  };
  if (img.synthetic) return { status: 200, body: img.synthetic.toString('latin1'), headers };
  ctx.res.writeHead(200, headers);
  if (ctx.req.method === 'HEAD') return void ctx.res.end();
  await pipeline(createReadStream(img.filePath as string), ctx.res);
}

async function deleteImage(ctx: Ctx): Promise<Reply> {
  const img = ownImage(ctx);
  if (img.protected) throw new ApiError(403, `Image ${img.id} is protected and cannot be deleted.`);
  ctx.region.images.delete(img.id);
  for (const path of [img.filePath, img.stagedPath]) if (path) await rm(path, { force: true });
  return { status: 204 };
}

function imageSchema(ctx: Ctx) {
  const str = (description: string) => ({ type: ['null', 'string'], readOnly: true, description });
  return {
    name: 'image',
    properties: {
      id: {
        type: 'string',
        pattern: '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$',
        description: 'An identifier for the image',
      },
      name: { type: ['null', 'string'], maxLength: 255, description: 'Descriptive name for the image' },
      status: {
        type: 'string',
        readOnly: true,
        enum: [
          'queued',
          'saving',
          'active',
          'killed',
          'deleted',
          'uploading',
          'importing',
          'pending_delete',
          'deactivated',
        ],
        description: 'Status of the image',
      },
      visibility: {
        type: 'string',
        enum: ['community', 'public', 'private', 'shared'],
        description: 'Scope of image accessibility',
      },
      protected: { type: 'boolean', description: 'If true, image will not be deletable.' },
      os_hidden: { type: 'boolean', description: 'If true, image will not appear in default image list response.' },
      checksum: str('md5 hash of image contents.'),
      os_hash_algo: str('Algorithm to calculate the os_hash_value'),
      os_hash_value: str('Hexdigest of the image contents using the algorithm specified by the os_hash_algo'),
      owner: { type: ['null', 'string'], maxLength: 255, description: 'Owner of the image' },
      size: { type: ['null', 'integer'], readOnly: true, description: 'Size of image file in bytes' },
      virtual_size: { type: ['null', 'integer'], readOnly: true, description: 'Virtual size of image in bytes' },
      container_format: {
        type: ['null', 'string'],
        enum: [null, ...ctx.cloud.opts.containerFormats],
        description: 'Format of the container',
      },
      disk_format: {
        type: ['null', 'string'],
        enum: [null, ...ctx.cloud.opts.diskFormats],
        description: 'Format of the disk',
      },
      created_at: { type: 'string', readOnly: true, description: 'Date and time of image registration' },
      updated_at: { type: 'string', readOnly: true, description: 'Date and time of the last image modification' },
      tags: {
        type: 'array',
        items: { type: 'string', maxLength: 255 },
        description: 'List of strings related to the image',
      },
      min_ram: { type: 'integer', description: 'Amount of ram (in MB) required to boot image.' },
      min_disk: { type: 'integer', description: 'Amount of disk space (in GB) required to boot image.' },
      self: { type: 'string', readOnly: true, description: 'An image self url' },
      file: { type: 'string', readOnly: true, description: 'An image file url' },
      schema: { type: 'string', readOnly: true, description: 'An image schema url' },
    },
    additionalProperties: { type: 'string' },
    links: [
      { rel: 'self', href: '{self}' },
      { rel: 'enclosure', href: '{file}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  };
}

const routes = new RouteTable()
  .add('GET', '/images', listImages)
  .add('POST', '/images', createImage)
  .add('GET', '/images/{id}', (ctx) => ({ status: 200, body: imageView(getImage(ctx)) }))
  .add('PATCH', '/images/{id}', patchImage)
  .add('DELETE', '/images/{id}', deleteImage)
  .add('PUT', '/images/{id}/file', uploadImage)
  .add('GET', '/images/{id}/file', downloadImage)
  .add('PUT', '/images/{id}/stage', stageImage)
  .add('POST', '/images/{id}/import', importImage)
  .add('PUT', '/images/{id}/tags/{tag}', (ctx) => {
    const img = ownImage(ctx);
    if (!img.tags.includes(ctx.params.tag)) img.tags.push(ctx.params.tag);
    return { status: 204 };
  })
  .add('DELETE', '/images/{id}/tags/{tag}', (ctx) => {
    const img = ownImage(ctx);
    if (!img.tags.includes(ctx.params.tag)) throw new ApiError(404, `Tag ${ctx.params.tag} not found.`);
    img.tags = img.tags.filter((t) => t !== ctx.params.tag);
    return { status: 204 };
  })
  .add('GET', '/schemas/image', (ctx) => ({ status: 200, body: imageSchema(ctx) }))
  .add('GET', '/schemas/images', (ctx) => ({
    status: 200,
    body: {
      name: 'images',
      properties: {
        images: { type: 'array', items: imageSchema(ctx) },
        schema: { type: 'string' },
        first: { type: 'string' },
        next: { type: 'string' },
      },
      links: [
        { rel: 'first', href: '{first}' },
        { rel: 'next', href: '{next}' },
        { rel: 'describedby', href: '{schema}' },
      ],
    },
  }))
  .add('GET', '/info/import', (ctx) => ({
    status: 200,
    body: {
      'import-methods': {
        description: 'Import methods available.',
        type: 'array',
        value: [...ctx.cloud.opts.importMethods],
      },
    },
  }))
  .add('GET', '/info/stores', () => ({
    status: 200,
    body: { stores: [{ id: 'file', description: 'Local temp-file store of the simulator', default: true }] },
  }));
addMemberRoutes(routes, { getImage, ownImage, readJsonBody });

function versions(ctx: Ctx) {
  const ids = ['2.16', '2.15', '2.9', '2.7', '2.6', '2.5', '2.4', '2.3', '2.2', '2.1', '2.0'];
  return ids.map((v, i) => ({
    id: `v${v}`,
    status: i === 0 ? 'CURRENT' : 'SUPPORTED',
    links: [{ rel: 'self', href: `${ctx.serviceBase}/v2/` }],
  }));
}

export const glanceService: ServiceModule = {
  name: 'image',
  prefix: 'image',
  requiresAuth: true,
  routes,
  resolve(rest) {
    if (rest === '' || rest === '/' || rest === '/versions')
      return { discovery: (ctx) => ({ status: rest === '/versions' ? 200 : 300, body: { versions: versions(ctx) } }) };
    if (rest.startsWith('/v2/')) return { path: rest.slice(3), versionRoot: '/v2' };
    return undefined;
  },
};
