// --wait on volumes, snapshots and backups, stopped early by Ctrl-C or the deadline. Those calls are unary (the
// node does the waiting and answers once), so what exists is looked up once afterwards, for a few seconds at most,
// and reported with the commands that look, finish or clean up (the account itself: interrupted-wait.ts).
import { OaktreeError, Status } from '../../client/index.ts';
import type { CliContext } from './context.ts';
import { explainedWait, LOOKUP_MS, placeFlags, stoppedWait, type WaitedObject } from './interrupted-wait.ts';

export type WaitedKind = 'volume' | 'snapshot' | 'backup';

/** The CLI command of each kind, for the printed next steps. */
const KIND_COMMAND: Record<WaitedKind, string> = {
  volume: 'oaktree volume',
  snapshot: 'oaktree volume-snapshot',
  backup: 'oaktree volume-backup',
};

export interface VolumeWaitPlan {
  kind: WaitedKind;
  /** What the command is doing, for the first line: 'creating volume data'. */
  doing: string;
  /** What to look up once the wait stopped (the id the call would have returned is unknown). */
  nameOrId: string;
  /** The cloud's status words that mean done ('available'); empty when done means gone. */
  until: readonly string[];
  /** The commands to go on with, given how to name the object: its id (or name) and its --cloud/--region. */
  steps: (id: string, place: string) => Array<[string, string]>;
}

/** The object as the cloud has it now, or a phrase saying why that is not known. */
async function lookUp(ctx: CliContext, kind: WaitedKind, nameOrId: string): Promise<WaitedObject | string> {
  const options = { timeoutMs: LOOKUP_MS };
  try {
    const found =
      kind === 'volume'
        ? await ctx.client.getVolume(nameOrId, ctx.selector, options)
        : kind === 'snapshot'
          ? await ctx.client.getVolumeSnapshot(nameOrId, ctx.selector, options)
          : await ctx.client.getVolumeBackup(nameOrId, ctx.selector, options);
    return { kind, name: found.name, id: found.id, location: found.location, status: found.cloudStatus || 'unknown' };
  } catch (error) {
    if (error instanceof OaktreeError && error.code === Status.NOT_FOUND) return `there is no ${kind} ${nameOrId} now`;
    const why = error instanceof Error ? error.message : String(error);
    return `it may go on in the cloud (looking ${kind} ${nameOrId} up failed: ${why})`;
  }
}

/**
 * Runs `run`; with `wait`, Ctrl-C or the deadline ends it with what exists (looked up), what is not done, and the
 * plan's next steps, exiting 130 or 1.
 */
export function volumeWait<T>(
  ctx: CliContext,
  wait: boolean,
  plan: VolumeWaitPlan,
  run: (signal?: AbortSignal) => Promise<T>,
): Promise<T> {
  if (!wait) return run();
  return explainedWait(run, async (why) => {
    const found = await lookUp(ctx, plan.kind, plan.nameOrId);
    const known = typeof found === 'object' ? found : undefined;
    const notDone = !known
      ? undefined
      : plan.until.length === 0
        ? 'not deleted yet'
        : plan.until.includes(known.status)
          ? undefined
          : `not ${plan.until.join(' or ')} yet`;
    const steps = known
      ? plan.steps(known.id, placeFlags(known.location))
      : plan.steps(plan.nameOrId, placeFlags(ctx.selector));
    return stoppedWait(why, { doing: plan.doing, found, notDone, steps });
  });
}

/** The usual steps: look at it, finish with `volume wait` (volumes only), clean up with delete. */
export function lookFinishCleanUp(
  kind: WaitedKind,
  options: { until?: 'available' | 'in-use' | 'deleted' | 'any'; cleanUp?: boolean } = {},
) {
  return (id: string, place: string): Array<[string, string]> => {
    const ref = [id, place].filter(Boolean).join(' ');
    const steps: Array<[string, string]> = [['look', `${KIND_COMMAND[kind]} show ${ref}`]];
    if (kind === 'volume' && options.until)
      steps.push(['finish', `oaktree volume wait ${ref}${options.until === 'any' ? '' : ` --until ${options.until}`}`]);
    if (options.cleanUp) steps.push(['clean up', `${KIND_COMMAND[kind]} delete ${ref}`]);
    return steps;
  };
}
