// Server actions for OaktreeClient: the friendly shape a caller writes ({ action: 'resize', flavor: 'm1.large' })
// and its RunServerActionRequest.action, plus the stage names progress callbacks get.
import { ServerActionStage, type RunServerActionRequest, type Server } from '../gen/oaktree/v1/compute.ts';
import type { Image } from '../gen/oaktree/v1/image.ts';
import type { CallOptions } from './call-options.ts';

/** One action on a server; the names follow openstacksdk and Ansible's server_action. */
export type ServerActionSpec =
  | { action: 'reboot'; hard?: boolean }
  | { action: 'stop' | 'start' | 'pause' | 'unpause' | 'suspend' | 'resume' | 'unlock' | 'unrescue' }
  | { action: 'shelve' | 'shelve-offload' | 'confirm-resize' | 'revert-resize' }
  | { action: 'lock'; reason?: string }
  | { action: 'rescue'; image?: string }
  | { action: 'unshelve'; availabilityZone?: string }
  | {
      action: 'rebuild';
      image: string;
      name?: string;
      /** Replaces the metadata (an empty object clears it); absent keeps it. */
      metadata?: Record<string, string>;
      /** A new keypair; absent keeps it. */
      keyName?: string;
    }
  | { action: 'resize'; flavor: string; autoConfirm?: boolean };

export type ServerActionName = ServerActionSpec['action'];

export const SERVER_ACTION_NAMES: readonly ServerActionName[] = [
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
  'shelve-offload',
  'unshelve',
  'rebuild',
  'resize',
  'confirm-resize',
  'revert-resize',
];

export type ServerActionStageName = 'accepted' | 'progress' | 'done' | 'failed';

export const actionStageNames: Record<number, ServerActionStageName> = {
  [ServerActionStage.SERVER_ACTION_STAGE_ACCEPTED]: 'accepted',
  [ServerActionStage.SERVER_ACTION_STAGE_PROGRESS]: 'progress',
  [ServerActionStage.SERVER_ACTION_STAGE_DONE]: 'done',
  [ServerActionStage.SERVER_ACTION_STAGE_FAILED]: 'failed',
};

export interface ServerActionOptions extends CallOptions {
  /** Resolve once the cloud has finished the action (default false: once it is accepted). */
  wait?: boolean;
  /** Idempotency key; a fresh UUID per call when absent. */
  requestId?: string;
  onProgress?: (stage: ServerActionStageName, server: Server) => void;
}

export interface SnapshotServerOptions extends CallOptions {
  /** Resolve once the image is ACTIVE (default false). */
  wait?: boolean;
  /** Image properties. */
  metadata?: Record<string, string>;
  requestId?: string;
  onProgress?: (stage: ServerActionStageName, image: Image | undefined, server: Server | undefined) => void;
}

/** The oneof value of RunServerActionRequest.action for a spec. */
export function toActionOneof(spec: ServerActionSpec): NonNullable<RunServerActionRequest['action']> {
  switch (spec.action) {
    case 'reboot':
      return { $case: 'reboot', value: { hard: spec.hard ?? false } };
    case 'lock':
      return { $case: 'lock', value: { reason: spec.reason ?? '' } };
    case 'rescue':
      return { $case: 'rescue', value: { image: spec.image ?? '' } };
    case 'unshelve':
      return { $case: 'unshelve', value: { availabilityZone: spec.availabilityZone ?? '' } };
    case 'rebuild':
      return {
        $case: 'rebuild',
        value: {
          image: spec.image,
          name: spec.name ?? '',
          replaceMetadata: spec.metadata !== undefined,
          metadata: spec.metadata ?? {},
          keyName: spec.keyName ?? '',
        },
      };
    case 'resize':
      return { $case: 'resize', value: { flavor: spec.flavor, autoConfirm: spec.autoConfirm ?? false } };
    case 'shelve-offload':
      return { $case: 'shelveOffload', value: {} };
    case 'confirm-resize':
      return { $case: 'confirmResize', value: {} };
    case 'revert-resize':
      return { $case: 'revertResize', value: {} };
    default:
      return { $case: spec.action, value: {} } as NonNullable<RunServerActionRequest['action']>;
  }
}
