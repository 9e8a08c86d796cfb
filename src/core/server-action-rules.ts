// Validation of RunServerAction and UpdateServer requests that needs no cloud: an action is chosen, and the
// fields an action needs are there.
import { requestId, required, type Rule } from './field-rules.ts';

const actionChosen: Rule = (m) =>
  m.action?.$case
    ? undefined
    : 'action is required: one of reboot, stop, start, pause, unpause, suspend, resume, lock, unlock, rescue, ' +
      'unrescue, shelve, shelve_offload, unshelve, rebuild, resize, confirm_resize, revert_resize';

/** Runs `rule` on the chosen action's message when it is `name`, with the field path under it. */
const inAction =
  (name: string, rule: Rule): Rule =>
  (m, path) =>
    m.action?.$case === name ? rule(m.action.value ?? {}, `${path}${name}.`) : undefined;

export const SERVER_ACTION_RULES: Rule[] = [
  actionChosen,
  inAction('rebuild', required('image', 'the image to rebuild from, by name or id (see ListImages)')),
  inAction('resize', required('flavor', 'the flavor to resize to, by name or id (see ListFlavors)')),
  requestId,
];

const somethingToChange: Rule = (m) =>
  String(m.name ?? '').trim() || m.description !== undefined
    ? undefined
    : 'nothing to change: set name and/or description';

export const UPDATE_SERVER_RULES: Rule[] = [somethingToChange];
