// CreateServer: resolve names to ids, POST /servers (idempotent through a request id kept in the server's
// metadata), then optionally stream its build until it is ACTIVE with addresses and, if needed, a floating IP.
import { REQUEST_ID_METADATA_KEY } from '../../../core/request-id.ts';
import type { CallContext } from '../../../core/call-context.ts';
import {
  AddressType,
  CreateServerStage,
  FloatingIPMode,
  ServerStatus,
  type CreateServerRequest,
  type CreateServerResponse,
  type Server,
} from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { OaktreeError, toStatus } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import { findNetwork } from '../network/find.ts';
import { ensureFloatingIpForServer, hasFloatingIps } from '../network/floating-ips.ts';
import { interestingNetworks } from '../network/interesting-cache.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { findFlavorRaw } from './flavors.ts';
import { findImageRaw } from '../image/glance.ts';
import { asInvalidArgument, microversion, mvAtLeast, type Raw } from './nova.ts';
import { normalizeOne } from './server-view.ts';
import { serverOptions, withoutSecret } from './create-server-options.ts';
import { getServerRaw, serversNamed } from './servers.ts';
import { streamFrom } from './stream.ts';
import { serverFingerprint, waitForServerStatus } from './wait.ts';
import { notifyServerWrite } from '../watch/handlers.ts';

/** The server a previous create with this request id made (still existing), if any. */
export async function serverForRequestId(
  ctx: RegionContext,
  name: string,
  requestId: string,
  signal?: AbortSignal,
): Promise<Raw | undefined> {
  const named = await serversNamed(ctx, name, signal);
  return named.find((raw) => raw.metadata?.[REQUEST_ID_METADATA_KEY] === requestId && raw.status !== 'DELETED');
}

function num(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** The body of POST /servers for a request, with every name resolved to an id, and the microversion to send. */
export async function buildServerBody(
  ctx: RegionContext,
  request: CreateServerRequest,
  signal: AbortSignal,
): Promise<{ body: Raw; microversion?: string }> {
  const mv = await microversion(ctx, signal);
  const maxMv = (await ctx.session.service('compute', ctx.region, signal)).maxMicroversion ?? '';
  const options = await serverOptions(ctx, request, mv, maxMv, signal);
  const flavor = await findFlavorRaw(ctx, request.flavor, signal).catch((e) => {
    throw asInvalidArgument(e, `unknown flavor "${request.flavor}" (see ListFlavors)`);
  });
  const image = request.image
    ? await findImageRaw(ctx, request.image, signal).catch((e) => {
        throw asInvalidArgument(e, `unknown image "${request.image}" (see ListImages)`);
      })
    : undefined;
  if (request.bootFromVolume && !image) {
    throw new OaktreeError(GrpcStatus.INVALID_ARGUMENT, 'boot_from_volume needs an image to make the boot volume from');
  }

  const server: Raw = { name: request.name, flavorRef: String(flavor.id) };
  const networks: Raw[] = [];
  for (const name of request.networks) {
    const net = await findNetwork(ctx, name, signal).catch((e) => {
      throw asInvalidArgument(e, `unknown network "${name}" (see ListNetworks)`);
    });
    networks.push({ uuid: net.id });
  }
  networks.push(...options.networks);
  if (networks.length) server.networks = networks;
  else {
    // openstacksdk: the network clouds.yaml marks as default, else let nova pick ("auto" from 2.37 on).
    const fallback = await interestingNetworks(ctx, signal).then(
      (n) => n.defaultNetwork,
      () => undefined,
    );
    if (fallback) server.networks = [{ uuid: fallback.id }];
    else if (mvAtLeast(mv, 2, 37)) server.networks = 'auto';
  }
  if (request.securityGroups.length) server.security_groups = request.securityGroups.map((name) => ({ name }));
  if (request.keyName) server.key_name = request.keyName;
  if (request.userData) server.user_data = Buffer.from(request.userData, 'utf8').toString('base64');
  const metadata: Record<string, string> = { ...request.metadata };
  if (request.requestId) metadata[REQUEST_ID_METADATA_KEY] = request.requestId;
  if (Object.keys(metadata).length) server.metadata = metadata;
  const zone = request.availabilityZone || request.location?.zone;
  if (zone) server.availability_zone = zone;
  if (request.configDrive) server.config_drive = true;

  if (request.bootFromVolume && image) {
    const imageMinDisk = num(image.min_disk);
    const imageSizeGb = Math.ceil(num(image.size) / 1024 ** 3);
    const size = request.bootVolumeSizeGb || num(flavor.disk) || Math.max(imageMinDisk, imageSizeGb, 1);
    server.block_device_mapping_v2 = [
      {
        boot_index: 0,
        uuid: String(image.id),
        source_type: 'image',
        destination_type: 'volume',
        volume_size: size,
        delete_on_termination: !request.keepBootVolume,
      },
    ];
  } else if (image) {
    server.imageRef = String(image.id);
  }
  Object.assign(server, options.server);
  if (options.blockDevices.length) {
    const mapping: Raw[] = [...(server.block_device_mapping_v2 ?? []), ...options.blockDevices];
    // With a mapping nova wants the boot disk in it too (openstacksdk adds the image the same way).
    if (server.imageRef && !mapping.some((d) => d.boot_index === 0))
      mapping.unshift({
        boot_index: 0,
        uuid: server.imageRef,
        source_type: 'image',
        destination_type: 'local',
        delete_on_termination: true,
      });
    server.block_device_mapping_v2 = mapping;
  }
  const body: Raw = { server };
  if (options.schedulerHints) body['os:scheduler_hints'] = options.schedulerHints;
  return { body, microversion: options.microversion };
}

const isActiveWithAddresses = (raw: Raw) =>
  raw.status === 'ACTIVE' && !!raw.addresses && Object.keys(raw.addresses).length > 0;
const isError = (raw: Raw) => raw.status === 'ERROR';

function failedMessage(server: Server, ctx: RegionContext): string {
  const fault = server.fault?.message ? `: ${server.fault.message.trim()}` : '';
  return (
    `server ${server.name} (${server.id}) went to ERROR in ${describeLocation(ctx.location)}${fault}. ` +
    `The server still exists; delete it with DeleteServer (name_or_id "${server.id}")`
  );
}

/** openstacksdk's cleanup after a failed floating IP: the server was made for this call, so it goes too. */
async function deleteAfterFailure(ctx: RegionContext, serverId: string, cause: unknown): Promise<never> {
  const why = toStatus(cause).message;
  try {
    await ctx.session.request('compute', ctx.region, {
      method: 'DELETE',
      path: `/servers/${encodeURIComponent(serverId)}`,
    });
  } catch (deleteError) {
    throw new OaktreeError(
      toStatus(cause).code,
      `attaching a floating IP to server ${serverId} failed (${why}); deleting the server failed too (${toStatus(deleteError).message}): delete it yourself`,
    );
  }
  throw new OaktreeError(
    toStatus(cause).code,
    `attaching a floating IP to server ${serverId} failed (${why}); the server was deleted`,
  );
}

export function createServerHandler(resolve: RegionResolver) {
  return function createServer(
    request: CreateServerRequest,
    target: Location,
    call: CallContext,
  ): AsyncIterable<CreateServerResponse> {
    return streamFrom<CreateServerResponse>(call.signal, async (emit, signal) => {
      const ctx = await resolve(target);
      const send = (stage: CreateServerStage, server: Server) => emit({ stage, server });

      const place = async (): Promise<Raw> => {
        const earlier = request.requestId
          ? await serverForRequestId(ctx, request.name, request.requestId, signal)
          : undefined;
        if (earlier) {
          ctx.logger.info(
            { server: earlier.id, requestId: request.requestId },
            'create retried: returning the server made before',
          );
          return earlier;
        }
        const { body, microversion: callMicroversion } = await buildServerBody(ctx, request, signal);
        // Not retried by the transport: a POST that reached nova and timed out would make a second server.
        const res = await ctx.session
          .request('compute', ctx.region, {
            method: 'POST',
            path: '/servers',
            body,
            signal,
            microversion: callMicroversion,
          })
          .catch((error) => {
            throw withoutSecret(error, request.adminPassword);
          });
        const id = String((res.body as Raw)?.server?.id ?? '');
        notifyServerWrite(ctx);
        ctx.logger.info({ server: id, name: request.name }, 'server accepted');
        return (await getServerRaw(ctx, id, signal)) ?? { id, name: request.name, status: 'BUILD' };
      };
      // Concurrent retries of one request (on this node or a replica sharing Redis) make one server: the lock
      // serializes them and the metadata lookup above finds what the first one made.
      const raw = request.requestId
        ? await ctx.services.requestLocks.lockByRequestId(
            `create-server:${ctx.credentialKey}:${request.requestId}`,
            place,
          )
        : await place();
      const serverId = String(raw.id);
      send(CreateServerStage.CREATE_SERVER_STAGE_ACCEPTED, await normalizeOne(ctx, raw, signal));
      if (!request.wait) return;

      const accepted = serverFingerprint(raw);
      const settled = await waitForServerStatus(
        ctx,
        serverId,
        (r) => isActiveWithAddresses(r) || isError(r),
        signal,
        async (r) => {
          // ACCEPTED already showed this state, and the final state gets its own message.
          if (serverFingerprint(r) === accepted || isActiveWithAddresses(r) || isError(r)) return;
          send(CreateServerStage.CREATE_SERVER_STAGE_PROGRESS, await normalizeOne(ctx, r, signal));
        },
      );
      let server = await normalizeOne(ctx, settled, signal);
      if (server.status === ServerStatus.SERVER_STATUS_ERROR) {
        send(CreateServerStage.CREATE_SERVER_STAGE_FAILED, server);
        throw new OaktreeError(GrpcStatus.ABORTED, failedMessage(server, ctx));
      }

      const mode = request.floatingIp || FloatingIPMode.FLOATING_IP_MODE_AUTO;
      const wantsIp =
        mode === FloatingIPMode.FLOATING_IP_MODE_ALWAYS ||
        (mode === FloatingIPMode.FLOATING_IP_MODE_AUTO && !server.publicV4 && hasFloatingIps(ctx));
      if (wantsIp) {
        send(CreateServerStage.CREATE_SERVER_STAGE_ATTACHING_FLOATING_IP, server);
        try {
          const fip = await ensureFloatingIpForServer(
            ctx,
            settled as Parameters<typeof ensureFloatingIpForServer>[1],
            mode,
            signal,
          );
          if (fip) {
            const fresh = (await getServerRaw(ctx, serverId, signal)) ?? settled;
            server = await normalizeOne(ctx, fresh, signal);
            // nova's network cache lags behind Neutron on real clouds: show the address we know is there.
            const fixed = server.addresses.find((a) => a.address === fip.fixedIpAddress);
            if (fip.floatingIpAddress && !server.addresses.some((a) => a.address === fip.floatingIpAddress)) {
              server.addresses.push({
                network: fixed?.network ?? '',
                address: fip.floatingIpAddress,
                version: 4,
                type: AddressType.ADDRESS_TYPE_FLOATING,
                macAddress: fixed?.macAddress ?? '',
              });
              server.publicV4 ||= fip.floatingIpAddress;
              server.interfaceIp = server.publicV4 || server.publicV6 || server.privateV4;
            }
          }
        } catch (error) {
          if (signal.aborted) throw error;
          await deleteAfterFailure(ctx, serverId, error);
        }
      }
      send(CreateServerStage.CREATE_SERVER_STAGE_READY, server);
    });
  };
}
