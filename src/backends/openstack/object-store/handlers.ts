// ObjectStoreService for one OpenStack region (Swift): containers, objects, streamed transfers, signed URLs.
import type { LocationHandlers } from '../../handler-backend.ts';
import type { RegionResolver } from '../region.ts';
import { createContainer, deleteContainer, listContainers, updateContainer } from './containers.ts';
import { deleteAll, deleteObject } from './delete.ts';
import { downloadObject } from './download.ts';
import { copyObject, getObject, listObjects, updateObject } from './objects.ts';
import { createObjectUrl } from './temp-url.ts';
import { uploadObject } from './upload.ts';

export function objectStoreHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async *listContainers(request, target, call) {
      yield* listContainers(await resolve(target), request, call.signal);
    },
    async createContainer(request, target, call) {
      return createContainer(await resolve(target), request, call.signal);
    },
    async updateContainer(request, target, call) {
      return { container: await updateContainer(await resolve(target), request, call.signal) };
    },
    async *deleteContainer(request, target, call) {
      yield* deleteContainer(await resolve(target), request, call.signal);
    },
    async *listObjects(request, target, call) {
      yield* listObjects(await resolve(target), request, call.signal);
    },
    async getObject(request, target, call) {
      return { object: await getObject(await resolve(target), request.container, request.name, call.signal) };
    },
    uploadObject: (requests, targets, call) => uploadObject(resolve, requests, targets, call),
    async *downloadObject(request, target, call) {
      yield* downloadObject(await resolve(target), request, call.signal);
    },
    async copyObject(request, target, call) {
      return { object: await copyObject(await resolve(target), request, call.signal) };
    },
    async updateObject(request, target, call) {
      return { object: await updateObject(await resolve(target), request, call.signal) };
    },
    async deleteObject(request, target, call) {
      const ctx = await resolve(target);
      const segmentsDeleted = await deleteObject(ctx, request.container, request.name, call.signal);
      return { location: ctx.location, container: request.container, name: request.name, segmentsDeleted };
    },
    async *deleteObjects(request, target, call) {
      const ctx = await resolve(target);
      let objectsDeleted = 0n;
      const progress = (done: boolean) => ({
        location: ctx.location,
        container: request.container,
        objectsDeleted,
        done,
      });
      for await (objectsDeleted of deleteAll(ctx, request.container, request.prefix, call.signal))
        yield progress(false);
      yield progress(true);
    },
    async createObjectUrl(request, target, call) {
      return createObjectUrl(await resolve(target), request, call.signal);
    },
  };
}
