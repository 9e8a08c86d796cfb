// Nova's leftovers clients still call: /extensions, the deprecated /images proxy and remote consoles; and the
// registration of the admin APIs (aggregates, hosts, quota sets).
import { randomUUID } from 'node:crypto';
import { readJson, type Ctx, type Reply } from '../http.ts';
import { atLeast } from '../microversion.ts';
import type { RouteTable } from '../router.ts';
import type { Image } from '../store.ts';
import { ApiError, badRequest, isoSeconds } from '../util.ts';
import { registerAggregateRoutes } from './aggregates.ts';
import { NOVA_EXTENSIONS } from './extension-list.ts';
import { registerHostRoutes } from './hosts.ts';
import { registerQuotaRoutes } from './quotas.ts';
import { getServer } from './servers.ts';
import { links } from './views.ts';

// --- /extensions ----------------------------------------------------------------------------------------------

const extensionView = ([alias, name, description]: readonly [string, string, string]) => ({
  alias,
  description,
  links: [],
  name,
  namespace: 'http://docs.openstack.org/compute/ext/fake_xml',
  updated: '2014-12-03T00:00:00Z',
});

// --- the deprecated image proxy (gone at 2.36) ----------------------------------------------------------------

function proxyGate(ctx: Ctx): void {
  if (atLeast(ctx.microversion, 2, 36)) throw new ApiError(404, 'The resource could not be found.');
}

const visible = (ctx: Ctx, img: Image) =>
  img.visibility === 'public' || img.visibility === 'community' || img.owner === ctx.projectId || !!ctx.user?.isAdmin;

function proxyImage(ctx: Ctx, img: Image, detail: boolean) {
  const imageLinks = [
    ...links(ctx, 'images', img.id),
    {
      rel: 'alternate',
      type: 'application/vnd.openstack.image',
      href: `${ctx.cloud.serviceBase(ctx.region.name, 'image')}/images/${img.id}`,
    },
  ];
  if (!detail) return { id: img.id, name: img.name, links: imageLinks };
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(img.props)) metadata[k] = v;
  return {
    id: img.id,
    name: img.name,
    minRam: img.minRam,
    minDisk: img.minDisk,
    metadata,
    created: isoSeconds(img.createdAt),
    updated: isoSeconds(img.updatedAt),
    status:
      img.status === 'active'
        ? 'ACTIVE'
        : img.status === 'queued' || img.status === 'saving'
          ? 'SAVING'
          : img.status.toUpperCase(),
    progress: img.status === 'active' ? 100 : 25,
    'OS-EXT-IMG-SIZE:size': img.size ?? 0,
    links: imageLinks,
    // A snapshot names the server it was taken from.
    ...(typeof img.props.instance_uuid === 'string'
      ? { server: { id: img.props.instance_uuid, links: links(ctx, 'servers', img.props.instance_uuid) } }
      : {}),
  };
}

function listProxyImages(detail: boolean) {
  return (ctx: Ctx): Reply => {
    proxyGate(ctx);
    const name = ctx.query.get('name');
    const images = [...ctx.region.images.values()].filter(
      (img) => visible(ctx, img) && (name === null || img.name === name),
    );
    return { status: 200, body: { images: images.map((img) => proxyImage(ctx, img, detail)) } };
  };
}

function showProxyImage(ctx: Ctx): Reply {
  proxyGate(ctx);
  const img = ctx.region.images.get(ctx.params.id);
  if (!img || !visible(ctx, img)) throw new ApiError(404, 'Image not found.');
  return { status: 200, body: { image: proxyImage(ctx, img, true) } };
}

// --- remote consoles (2.6+) -----------------------------------------------------------------------------------

const CONSOLE_TYPES: Record<string, string[]> = {
  vnc: ['novnc', 'xvpvnc'],
  spice: ['spice-html5'],
  rdp: ['rdp-html5'],
  serial: ['serial'],
  mks: ['webmks'],
};
const CONSOLE_PORTS: Record<string, number> = { vnc: 6080, spice: 6082, rdp: 6083, serial: 6083, mks: 6090 };

async function remoteConsole(ctx: Ctx): Promise<Reply> {
  if (!atLeast(ctx.microversion, 2, 6)) throw new ApiError(404, 'The resource could not be found.');
  const server = getServer(ctx, ctx.params.id);
  const spec = (await readJson(ctx)).remote_console;
  const protocol = spec?.protocol;
  const type = spec?.type;
  if (
    typeof protocol !== 'string' ||
    !CONSOLE_TYPES[protocol] ||
    (protocol === 'mks' && !atLeast(ctx.microversion, 2, 8))
  )
    throw badRequest('Invalid input for field/attribute protocol.');
  if (typeof type !== 'string' || !CONSOLE_TYPES[protocol].includes(type))
    throw badRequest('Invalid input for field/attribute type.');
  if (server.status !== 'ACTIVE')
    throw new ApiError(
      409,
      `Instance ${server.id} in vm_state ${server.status.toLowerCase()} is not ready for a console.`,
    );
  const path = protocol === 'vnc' ? 'vnc_auto.html' : protocol === 'spice' ? 'spice_auto.html' : '';
  const url = `http://127.0.0.1:${CONSOLE_PORTS[protocol]}/${path}?path=%3Ftoken%3D${randomUUID()}`;
  return { status: 200, body: { remote_console: { protocol, type, url } } };
}

export function registerNovaAdminRoutes(routes: RouteTable): void {
  registerAggregateRoutes(routes);
  registerHostRoutes(routes);
  registerQuotaRoutes(routes);
  routes
    .add('GET', '/extensions', () => ({ status: 200, body: { extensions: NOVA_EXTENSIONS.map(extensionView) } }))
    .add('GET', '/extensions/{alias}', (ctx) => {
      const found = NOVA_EXTENSIONS.find(([alias]) => alias === ctx.params.alias);
      if (!found) throw new ApiError(404, 'Ext could not be found');
      return { status: 200, body: { extension: extensionView(found) } };
    })
    .add('GET', '/images', listProxyImages(false))
    .add('GET', '/images/detail', listProxyImages(true))
    .add('GET', '/images/{id}', showProxyImage)
    .add('POST', '/servers/{id}/remote-consoles', remoteConsole);
}
