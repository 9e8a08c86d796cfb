// The server actions of RunServerAction as nova knows them: the request body each one posts, and which nova
// statuses the server may end in once the cloud has finished it (anything else is reported as a failure).
import type { RunServerActionRequest } from '../../../gen/oaktree/v1/compute.ts';
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import { findImageRaw } from '../image/glance.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { findFlavorRaw } from './flavors.ts';
import { microversion, mvAtLeast, type Raw } from './nova.ts';

export type ActionCase = NonNullable<RunServerActionRequest['action']>['$case'];
type ActionOf<C extends ActionCase> = Extract<NonNullable<RunServerActionRequest['action']>, { $case: C }>['value'];

/** One action, ready to post: nova's body, and the statuses that mean "done as asked". */
export interface PlannedAction {
  /** The action's name in oaktree (the oneof case), for messages. */
  name: ActionCase;
  body: Raw;
  /** Nova status words the server may end in; empty: the status does not change (lock, unlock). */
  endsIn: readonly string[];
  /** The action takes effect before nova answers: nothing to wait for. */
  synchronous?: boolean;
}

const SHELVED = ['SHELVED', 'SHELVED_OFFLOADED'];

/** Actions without parameters: nova's action key and the statuses they end in. */
const SIMPLE: Partial<Record<ActionCase, { key: string; endsIn: readonly string[]; synchronous?: boolean }>> = {
  stop: { key: 'os-stop', endsIn: ['SHUTOFF'] },
  start: { key: 'os-start', endsIn: ['ACTIVE'] },
  pause: { key: 'pause', endsIn: ['PAUSED'] },
  unpause: { key: 'unpause', endsIn: ['ACTIVE'] },
  suspend: { key: 'suspend', endsIn: ['SUSPENDED'] },
  resume: { key: 'resume', endsIn: ['ACTIVE'] },
  unlock: { key: 'unlock', endsIn: [], synchronous: true },
  unrescue: { key: 'unrescue', endsIn: ['ACTIVE'] },
  shelve: { key: 'shelve', endsIn: SHELVED },
  shelveOffload: { key: 'shelveOffload', endsIn: ['SHELVED_OFFLOADED'] },
  // A confirmed resize keeps the power state the server had before it.
  confirmResize: { key: 'confirmResize', endsIn: ['ACTIVE', 'SHUTOFF'] },
  revertResize: { key: 'revertResize', endsIn: ['ACTIVE', 'SHUTOFF'] },
};

function needsMicroversion(ctx: RegionContext, mv: string, what: string, major: number, minor: number): void {
  if (!mvAtLeast(mv, major, minor))
    throw new OaktreeError(
      GrpcStatus.FAILED_PRECONDITION,
      `${what} needs compute microversion ${major}.${minor}; ${describeLocation(ctx.location)} offers ${mv}`,
    );
}

/** The server's flavor id, or its name where nova embeds the flavor (2.47+): for the same-flavor check. */
function sameFlavor(server: Raw, flavor: Raw): boolean {
  const current = server.flavor ?? {};
  if (current.id !== undefined) return String(current.id) === String(flavor.id);
  return current.original_name !== undefined && current.original_name === flavor.name;
}

/**
 * Resolves what the action names (image, flavor) and builds nova's request. NOT_FOUND for an unknown image or
 * flavor, INVALID_ARGUMENT for a resize to the server's own flavor, FAILED_PRECONDITION for an option the
 * cloud's microversion lacks.
 */
export async function planAction(
  ctx: RegionContext,
  action: NonNullable<RunServerActionRequest['action']>,
  server: Raw,
  signal: AbortSignal,
): Promise<PlannedAction> {
  const name = action.$case;
  const simple = SIMPLE[name];
  if (simple) return { name, body: { [simple.key]: null }, endsIn: simple.endsIn, synchronous: simple.synchronous };
  const mv = await microversion(ctx, signal);
  switch (action.$case) {
    case 'reboot':
      return { name, body: { reboot: { type: action.value.hard ? 'HARD' : 'SOFT' } }, endsIn: ['ACTIVE'] };
    case 'lock': {
      const reason = action.value.reason;
      if (reason) needsMicroversion(ctx, mv, 'a lock reason', 2, 73);
      return { name, body: { lock: reason ? { locked_reason: reason } : null }, endsIn: [], synchronous: true };
    }
    case 'rescue': {
      const rescue: Raw = {};
      if (action.value.image)
        rescue.rescue_image_ref = String((await findImageRaw(ctx, action.value.image, signal)).id);
      return { name, body: { rescue }, endsIn: ['RESCUE'] };
    }
    case 'unshelve': {
      const zone = action.value.availabilityZone;
      if (zone) needsMicroversion(ctx, mv, 'unshelving into an availability zone', 2, 77);
      return { name, body: { unshelve: zone ? { availability_zone: zone } : null }, endsIn: ['ACTIVE'] };
    }
    case 'rebuild':
      return {
        name,
        body: { rebuild: await rebuildBody(ctx, mv, action.value, signal) },
        endsIn: ['ACTIVE', 'SHUTOFF'],
      };
    case 'resize': {
      const flavor = await findFlavorRaw(ctx, action.value.flavor, signal);
      if (sameFlavor(server, flavor))
        throw new OaktreeError(
          GrpcStatus.INVALID_ARGUMENT,
          `server ${server.name} (${server.id}) already has flavor ${flavor.name}: a resize must change the flavor`,
        );
      return { name, body: { resize: { flavorRef: String(flavor.id) } }, endsIn: ['VERIFY_RESIZE'] };
    }
  }
  throw new OaktreeError(GrpcStatus.UNIMPLEMENTED, `server action ${name} is not supported`);
}

async function rebuildBody(ctx: RegionContext, mv: string, value: ActionOf<'rebuild'>, signal: AbortSignal) {
  const body: Raw = { imageRef: String((await findImageRaw(ctx, value.image, signal)).id) };
  if (value.name) body.name = value.name;
  // Without `metadata` nova keeps the server's metadata; with it nova replaces it.
  if (value.replaceMetadata) body.metadata = { ...value.metadata };
  if (value.keyName) {
    needsMicroversion(ctx, mv, 'rebuilding with another keypair', 2, 54);
    body.key_name = value.keyName;
  }
  return body;
}

/** Every action name, for capabilities. */
export const ACTION_NAMES: readonly string[] = [
  'reboot',
  'stop',
  'start',
  'pause',
  'unpause',
  'suspend',
  'resume',
  'lock',
  'unlock',
  'rescue',
  'unrescue',
  'shelve',
  'shelve_offload',
  'unshelve',
  'rebuild',
  'resize',
  'confirm_resize',
  'revert_resize',
];
