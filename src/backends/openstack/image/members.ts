// Image sharing for one OpenStack region: Glance v2 members. The owner adds and removes projects; a member
// project accepts or rejects (only then is the image listed with its images).
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import { type ImageMember, ImageMemberStatus } from '../../../gen/oaktree/v1/image.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import type { LocationHandlers } from '../../handler-backend.ts';
import { objectLocation } from '../normalize/location.ts';
import { str } from '../normalize/network.ts';
import { parseTimestamp } from '../normalize/time.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus, OpenStackHttpError } from '../transport/index.ts';
import type { Raw } from '../volume/status-feeds.ts';
import { findImageRaw, glanceGet } from './glance.ts';

const STATUS: Record<string, ImageMemberStatus> = {
  pending: ImageMemberStatus.IMAGE_MEMBER_STATUS_PENDING,
  accepted: ImageMemberStatus.IMAGE_MEMBER_STATUS_ACCEPTED,
  rejected: ImageMemberStatus.IMAGE_MEMBER_STATUS_REJECTED,
};
const WORD = Object.fromEntries(Object.entries(STATUS).map(([word, status]) => [status, word]));

export function normalizeMember(raw: Raw, image: Raw, route: Location): ImageMember {
  return {
    location: objectLocation(route, image),
    imageId: str(raw.image_id) || str(image.id),
    memberId: str(raw.member_id),
    status: STATUS[str(raw.status)] ?? ImageMemberStatus.IMAGE_MEMBER_STATUS_UNSPECIFIED,
    createTime: parseTimestamp(raw.created_at),
    updateTime: parseTimestamp(raw.updated_at),
  };
}

const membersPath = (id: unknown) => `/images/${encodeURIComponent(String(id))}/members`;

/** An image shared with the caller's project is found by id even while pending (lists hide it until accepted). */
async function imageById(ctx: RegionContext, nameOrId: string, signal: AbortSignal): Promise<Raw> {
  return (await glanceGet(ctx, nameOrId, signal)) ?? (await findImageRaw(ctx, nameOrId, signal));
}

export function memberHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async *listImageMembers(request, target, call) {
      const ctx = await resolve(target);
      const image = await imageById(ctx, request.image, call.signal);
      const res = await ctx.session.request('image', ctx.region, {
        method: 'GET',
        path: membersPath(image.id),
        signal: call.signal,
      });
      for (const raw of (res.body as { members?: Raw[] })?.members ?? [])
        yield normalizeMember(raw, image, ctx.location);
    },

    async addImageMember(request, target, call) {
      const ctx = await resolve(target);
      const image = await findImageRaw(ctx, request.nameOrId, call.signal);
      if (image.visibility !== 'shared') {
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `image ${image.name ?? ''} (${image.id}) in ${describeLocation(ctx.location)} is ${image.visibility}; only a shared image has members (set its visibility to SHARED)`,
        );
      }
      const res = await ctx.session.request('image', ctx.region, {
        method: 'POST',
        path: membersPath(image.id),
        body: { member: request.memberId },
        signal: call.signal,
      });
      return { member: normalizeMember(res.body as Raw, image, ctx.location) };
    },

    async updateImageMember(request, target, call) {
      const ctx = await resolve(target);
      const image = await imageById(ctx, request.nameOrId, call.signal);
      try {
        const res = await ctx.session.request('image', ctx.region, {
          method: 'PUT',
          path: `${membersPath(image.id)}/${encodeURIComponent(request.memberId)}`,
          body: { status: WORD[request.status] },
          signal: call.signal,
        });
        return { member: normalizeMember(res.body as Raw, image, ctx.location) };
      } catch (error) {
        if (error instanceof OpenStackHttpError && error.status === 403) {
          throw new OaktreeError(
            GrpcStatus.PERMISSION_DENIED,
            `only project ${request.memberId} itself may accept or reject image ${image.id} in ${describeLocation(ctx.location)}`,
          );
        }
        throw error;
      }
    },

    async removeImageMember(request, target, call) {
      const ctx = await resolve(target);
      const image = await findImageRaw(ctx, request.nameOrId, call.signal);
      try {
        await ctx.session.request('image', ctx.region, {
          method: 'DELETE',
          path: `${membersPath(image.id)}/${encodeURIComponent(request.memberId)}`,
          signal: call.signal,
        });
      } catch (error) {
        if (error instanceof OpenStackHttpError && error.status === 404) {
          throw new OaktreeError(
            GrpcStatus.NOT_FOUND,
            `project ${request.memberId} is not a member of image ${image.id} in ${describeLocation(ctx.location)}`,
          );
        }
        throw error;
      }
      return { location: objectLocation(ctx.location, image), imageId: String(image.id), memberId: request.memberId };
    },
  };
}
