// Nova server actions (POST /servers/{id}/action) and server updates (PUT /servers/{id}) as nova answers them:
// 409 "Cannot '<action>' instance <id> while it is in vm_state <state>" (or task_state, or "is locked") when the
// state forbids the action, then the task state nova shows while the action runs, then the end state after the
// cloud's actionDelayMs. A 'server-error' fault rule that matches the server's name ends the action in ERROR.
import { readJson, type Ctx, type Reply } from '../http.ts';
import { atLeast } from '../microversion.ts';
import type { RouteTable } from '../router.ts';
import type { Image, Server } from '../store.ts';
import { ApiError, badRequest, uuid } from '../util.ts';
import { vmState } from './lifecycle.ts';
import { getServer, serverAction as otherServerAction } from './servers.ts';
import { isBusy, refuseIfLocked, setLock, startTransition, taskStateOf } from './transitions.ts';
import { serverDetail } from './views.ts';

type Status = Server['status'];

interface ActionRule {
  /** The action's name in nova's error messages. */
  name: string;
  /** vm states (as statuses) the action is allowed from. */
  from: readonly Status[];
  /** Runs the action (after the checks); returns a reply body when nova sends one. */
  run: (ctx: Ctx, server: Server, arg: any) => Record<string, unknown> | undefined;
}

/** The previous flavor and power state of a resized server, for a revert or confirm. */
const resizedFrom = new WeakMap<Server, { flavorId: string; status: Status }>();

/** Starts the action's task; at its end the server is `to` (or ERROR when a fault rule says so). */
function transition(
  ctx: Ctx,
  server: Server,
  task: string | null,
  to: (s: Server, at: number) => void,
  during?: Status,
): void {
  const failure = ctx.cloud.faults.serverFailure(ctx.cloud.name, ctx.region.name, server.name);
  startTransition(ctx.region, server, {
    task,
    status: during,
    delayMs: ctx.cloud.opts.actionDelayMs,
    finish: (s, at) => {
      if (failure) {
        s.status = 'ERROR';
        s.fault = { code: 500, message: failure, created: at };
      } else to(s, at);
    },
  });
}

const goTo = (status: Status) => (s: Server) => {
  s.status = status;
};

function simple(name: string, from: readonly Status[], task: string, to: Status): ActionRule {
  return { name, from, run: (ctx, s) => void transition(ctx, s, task, goTo(to)) };
}

function visibleImage(ctx: Ctx, id: unknown): Image | undefined {
  const image = typeof id === 'string' ? ctx.region.images.get(id) : undefined;
  return image && (image.visibility !== 'private' || image.owner === ctx.projectId) ? image : undefined;
}

function snapshotImage(ctx: Ctx, server: Server, name: string, props: Record<string, unknown>): Image {
  const now = Date.now();
  const base = ctx.region.images.get(server.imageId);
  const image: Image = {
    id: uuid(),
    name,
    status: 'queued',
    visibility: 'private',
    owner: ctx.projectId,
    diskFormat: base?.diskFormat ?? 'qcow2',
    containerFormat: base?.containerFormat ?? 'bare',
    size: null,
    virtualSize: null,
    checksum: null,
    hashAlgo: null,
    hashValue: null,
    minRam: base?.minRam ?? 0,
    minDisk: ctx.cloud.data.flavors.get(server.flavorId)?.disk ?? 0,
    protected: false,
    hidden: false,
    tags: [],
    props: {
      ...props,
      image_type: 'snapshot',
      instance_uuid: server.id,
      base_image_ref: server.imageId,
      user_id: server.userId,
    },
    createdAt: now,
    updatedAt: now,
  };
  ctx.region.images.add(image);
  return image;
}

/** The snapshot's data arrives when the task ends: the image goes active with the base image's bytes. */
function activate(image: Image, base: Image | undefined, at: number): void {
  const data = base?.synthetic ?? Buffer.from(`snapshot ${image.id}\n`);
  image.status = 'active';
  image.synthetic = data;
  image.size = data.length;
  image.checksum = base?.checksum ?? null;
  image.hashAlgo = base?.hashAlgo ?? null;
  image.hashValue = base?.hashValue ?? null;
  image.updatedAt = at;
}

const RULES: Record<string, ActionRule> = {
  reboot: {
    name: 'reboot',
    from: ['ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED', 'ERROR'],
    run: (ctx, s, arg) => {
      const type = String(arg?.type ?? '').toUpperCase();
      if (type !== 'SOFT' && type !== 'HARD') throw badRequest('Invalid input for field/attribute type.');
      if (type === 'SOFT' && s.status !== 'ACTIVE') throw conflict(s, 'reboot');
      transition(
        ctx,
        s,
        type === 'HARD' ? 'rebooting_hard' : 'rebooting',
        goTo('ACTIVE'),
        type === 'HARD' ? 'HARD_REBOOT' : 'REBOOT',
      );
      return undefined;
    },
  },
  'os-stop': simple('stop', ['ACTIVE', 'RESCUE', 'ERROR'], 'powering-off', 'SHUTOFF'),
  'os-start': simple('start', ['SHUTOFF'], 'powering-on', 'ACTIVE'),
  pause: simple('pause', ['ACTIVE'], 'pausing', 'PAUSED'),
  unpause: simple('unpause', ['PAUSED'], 'unpausing', 'ACTIVE'),
  suspend: simple('suspend', ['ACTIVE'], 'suspending', 'SUSPENDED'),
  resume: simple('resume', ['SUSPENDED'], 'resuming', 'ACTIVE'),
  unrescue: simple('unrescue', ['RESCUE'], 'unrescuing', 'ACTIVE'),
  shelveOffload: simple('shelveOffload', ['SHELVED'], 'shelving_offloading', 'SHELVED_OFFLOADED'),
  rescue: {
    name: 'rescue',
    from: ['ACTIVE', 'SHUTOFF', 'ERROR'],
    run: (ctx, s, arg) => {
      const ref = arg?.rescue_image_ref;
      if (ref !== undefined && !visibleImage(ctx, ref)) throw badRequest(`Image ${ref} could not be found.`);
      transition(ctx, s, 'rescuing', goTo('RESCUE'));
      return { adminPass: uuid().slice(0, 12) };
    },
  },
  shelve: {
    name: 'shelve',
    from: ['ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED'],
    run: (ctx, s) => {
      // As nova with shelved_offload_time 0: a snapshot "<name>-shelved" for the unshelve, and straight to offloaded.
      const base = ctx.region.images.get(s.imageId);
      const image = s.imageId ? snapshotImage(ctx, s, `${s.name}-shelved`, {}) : undefined;
      transition(ctx, s, 'shelving', (server) => {
        server.status = 'SHELVED_OFFLOADED';
        if (image) {
          activate(image, base, Date.now());
          shelvedImages.set(server, image.id);
        }
      });
      return undefined;
    },
  },
  unshelve: {
    name: 'unshelve',
    from: ['SHELVED', 'SHELVED_OFFLOADED'],
    run: (ctx, s, arg) => {
      if (arg?.availability_zone !== undefined && !atLeast(ctx.microversion, 2, 77))
        throw badRequest(
          "Invalid input for field/attribute unshelve. Value: {'availability_zone'}. None is not of type 'null'",
        );
      transition(ctx, s, 'unshelving', (server) => {
        server.status = 'ACTIVE';
        const shelved = shelvedImages.get(server);
        if (shelved) ctx.region.images.delete(shelved);
        shelvedImages.delete(server);
      });
      return undefined;
    },
  },
  rebuild: {
    name: 'rebuild',
    from: ['ACTIVE', 'SHUTOFF', 'ERROR'],
    run: (ctx, s, arg) => {
      const image = visibleImage(ctx, arg?.imageRef);
      if (!image) throw badRequest(`Image ${String(arg?.imageRef ?? '')} could not be found.`);
      if (arg.key_name !== undefined) {
        if (!atLeast(ctx.microversion, 2, 54))
          throw badRequest("Additional properties are not allowed ('key_name' was unexpected)");
        if (arg.key_name !== null && !ctx.region.keypairs.get(s.userId)?.has(arg.key_name))
          throw badRequest('Invalid key_name provided.');
      }
      const after: Status = s.status === 'SHUTOFF' ? 'SHUTOFF' : 'ACTIVE';
      if (typeof arg.name === 'string') s.name = arg.name;
      if (arg.metadata && typeof arg.metadata === 'object') s.metadata = { ...arg.metadata };
      if (arg.key_name !== undefined) s.keyName = arg.key_name;
      s.imageId = image.id;
      s.fault = undefined;
      transition(ctx, s, 'rebuilding', goTo(after), 'REBUILD');
      return { server: serverDetail(ctx, s) };
    },
  },
  resize: {
    name: 'resize',
    from: ['ACTIVE', 'SHUTOFF'],
    run: (ctx, s, arg) => {
      const flavor = ctx.cloud.data.flavors.get(String(arg?.flavorRef ?? ''));
      if (!flavor) throw badRequest(`Flavor ${String(arg?.flavorRef ?? '')} could not be found.`);
      if (flavor.id === s.flavorId) throw badRequest('When resizing, instances must change flavor!');
      resizedFrom.set(s, { flavorId: s.flavorId, status: s.status });
      transition(
        ctx,
        s,
        'resize_prep',
        (server) => {
          server.flavorId = flavor.id;
          server.status = 'VERIFY_RESIZE';
        },
        'RESIZE',
      );
      return undefined;
    },
  },
  confirmResize: {
    name: 'confirmResize',
    from: ['VERIFY_RESIZE'],
    // Nova confirms with no task state: the server stays VERIFY_RESIZE until the compute host is done.
    run: (ctx, s) => {
      const before = resizedFrom.get(s);
      transition(ctx, s, null, (server) => {
        server.status = before?.status ?? 'ACTIVE';
        resizedFrom.delete(server);
      });
      return undefined;
    },
  },
  revertResize: {
    name: 'revertResize',
    from: ['VERIFY_RESIZE'],
    run: (ctx, s) => {
      const before = resizedFrom.get(s);
      transition(
        ctx,
        s,
        'resize_reverting',
        (server) => {
          if (before) server.flavorId = before.flavorId;
          server.status = before?.status ?? 'ACTIVE';
          resizedFrom.delete(server);
        },
        'REVERT_RESIZE',
      );
      return undefined;
    },
  },
  createImage: {
    name: 'createImage',
    from: ['ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED', 'SHELVED', 'SHELVED_OFFLOADED'],
    run: (ctx, s, arg) => {
      if (!arg || typeof arg.name !== 'string' || !arg.name.trim())
        throw badRequest(
          `Invalid input for field/attribute createImage. Value: ${JSON.stringify(arg ?? null)}. 'name' is a required property`,
        );
      const props = arg.metadata && typeof arg.metadata === 'object' ? { ...arg.metadata } : {};
      const base = ctx.region.images.get(s.imageId);
      const image = snapshotImage(ctx, s, arg.name, props);
      const status = s.status;
      image.status = 'saving';
      transition(ctx, s, 'image_uploading', (server, at) => {
        server.status = status;
        activate(image, base, at);
      });
      return { image_id: image.id };
    },
  },
};

/** Images made by shelve, deleted again by unshelve (as nova does). */
const shelvedImages = new WeakMap<Server, string>();

function conflict(s: Server, action: string): ApiError {
  return new ApiError(409, `Cannot '${action}' instance ${s.id} while it is in vm_state ${vmState(s)}`, 'Conflict');
}

async function serverAction(ctx: Ctx): Promise<Reply> {
  const server = getServer(ctx, ctx.params.id);
  const body = await readJson(ctx);
  const [key] = Object.keys(body ?? {});
  const rule = RULES[key];
  if (key === 'lock' || key === 'unlock') return lock(ctx, server, key, body[key]);
  if (!rule) return otherServerAction(ctx, body);
  refuseIfLocked(server, !!ctx.user?.isAdmin);
  if (isBusy(server))
    throw new ApiError(
      409,
      `Cannot '${rule.name}' instance ${server.id} while it is in task_state ${taskStateOf(server) ?? 'None'}`,
      'Conflict',
    );
  if (!rule.from.includes(server.status)) throw conflict(server, rule.name);
  const reply = rule.run(ctx, server, body[key]);
  // Nova answers rescue with 200 and the new admin password; the other actions with 202.
  if (key === 'rescue') return { status: 200, body: reply };
  // Before 2.45 nova names the snapshot only in the Location header.
  if (key === 'createImage' && !atLeast(ctx.microversion, 2, 45)) {
    const where = `${ctx.cloud.serviceBase(ctx.region.name, 'image')}/v2/images/${reply?.image_id}`;
    return { status: 202, headers: { Location: where } };
  }
  return reply ? { status: 202, body: reply } : { status: 202 };
}

function lock(ctx: Ctx, server: Server, key: 'lock' | 'unlock', arg: any): Reply {
  if (key === 'unlock') setLock(server, undefined);
  else {
    if (arg?.locked_reason !== undefined && !atLeast(ctx.microversion, 2, 73))
      throw badRequest("Invalid input for field/attribute lock. Value: {'locked_reason'}. None is not of type 'null'");
    setLock(server, arg?.locked_reason ?? null);
  }
  server.updated = Date.now();
  return { status: 202 };
}

async function updateServer(ctx: Ctx): Promise<Reply> {
  const server = getServer(ctx, ctx.params.id);
  const spec = (await readJson(ctx))?.server;
  if (!spec || typeof spec !== 'object') throw badRequest("'server' is a required property");
  if (spec.description !== undefined && !atLeast(ctx.microversion, 2, 19))
    throw badRequest("Additional properties are not allowed ('description' was unexpected)");
  if (spec.name !== undefined) {
    if (typeof spec.name !== 'string' || !spec.name.trim()) throw badRequest('Invalid input for field/attribute name.');
    server.name = spec.name;
  }
  if (spec.description !== undefined) {
    if (spec.description !== null && (typeof spec.description !== 'string' || spec.description.length > 255))
      throw badRequest('Invalid input for field/attribute description.');
    server.description = spec.description;
  }
  server.updated = Date.now();
  return { status: 200, body: { server: serverDetail(ctx, server) } };
}

/** Registered before the server routes, so these answer first. */
export function registerServerActionRoutes(routes: RouteTable): void {
  routes.add('POST', '/servers/{id}/action', serverAction).add('PUT', '/servers/{id}', updateServer);
}
