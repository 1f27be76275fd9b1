import { madeElsewhereWords } from '../../scheduling/provenance.js';
import type { SchedulingService } from '../../scheduling/scheduling-service.js';
import type { CommandDefinition, CommandDeps } from './command.js';
import { defineCommand, readerFor, requestContext, serviceError, serviceOf } from './command.js';
import { pipelinesOfDescription } from './describe.js';
import { dryRunToken, mistake, type Usage } from './parsing.js';
import type { Reply } from './replies.js';

export type TriggerChangeCommand<N extends 'delete' | 'pause' | 'resume'> = {
  name: N;
  trigger: string;
  dryRun: boolean;
  /** delete: said yes (`--yes`, or the Delete button behind its confirm dialog). */
  confirmed?: boolean;
};

const done = { delete: 'deleted', pause: 'paused', resume: 'resumed' } as const;

/** The gate asks for the pipelines and the maker of the same trigger: one lookup. */
const described = new WeakMap<object, ReturnType<SchedulingService['describe']>>();

/** The trigger a change names, described once per command however often it is asked. */
export function describedOnce(command: { trigger: string }, deps: CommandDeps) {
  if (!deps.service) return undefined;
  let found = described.get(command);
  if (!found) {
    found = deps.service.describe(command.trigger);
    described.set(command, found);
  }
  return found;
}

/** "Delete this?": the trigger as its reader sees it, or why it cannot be deleted. */
async function deleteConfirmation(command: { trigger: string }, deps: CommandDeps): Promise<Reply> {
  const service = serviceOf(deps, 'delete');
  if (!service.ok) return service.reply;
  // The gate's own lookup of the same trigger: described once for both.
  const found =
    (await describedOnce(command, deps)) ?? (await service.service.describe(command.trigger));
  if (!found.ok) return serviceError(found.error);
  const pipelines = pipelinesOfDescription(found.value);
  const reader = await readerFor(deps);
  if (!reader.ok) return { kind: 'error', message: reader.reason, exitCode: 2 };
  const denied = reader.denial(pipelines);
  if (denied) return { kind: 'error', message: denied, exitCode: 2 };
  const d = found.value;
  return {
    kind: 'confirm-delete',
    ref: d.ref,
    what: d.kind === 'schedule' ? 'schedule' : 'rule',
    pipelines,
    summary:
      d.kind === 'schedule'
        ? d.description
        : `on events matching ${d.trigger.eventPattern || d.trigger.scheduleExpression || 'its pattern'}`,
  };
}

/**
 * The pipelines of the trigger a change names, for the gate: undefined when it does not exist
 * (the command says so), the refusal when it could not be read (AWS throttled, denied, …).
 */
export async function pipelinesOfTrigger(
  command: { trigger: string },
  deps: CommandDeps,
): Promise<string[] | undefined | { refused: Reply }> {
  const found = await describedOnce(command, deps);
  if (!found) return undefined;
  if (found.ok) return pipelinesOfDescription(found.value);
  return found.error.code === 'NOT_FOUND' ? undefined : { refused: serviceError(found.error) };
}

/** Who made the trigger a change names, in words, when it was not the bot. */
export async function madeElsewhereOf(
  command: { trigger: string },
  deps: CommandDeps,
): Promise<string | undefined> {
  const found = await describedOnce(command, deps);
  const words = found?.ok ? madeElsewhereWords(found.value.provenance) : undefined;
  return found?.ok && words ? `${found.value.ref} was ${words}` : undefined;
}

/**
 * delete, pause and resume: one schedule or rule by name, decided by the policy as the action
 * on the pipelines it starts (read from the trigger itself, never from what was typed).
 */
export function triggerChange<N extends 'delete' | 'pause' | 'resume'>(
  name: N,
  usage: Usage,
): CommandDefinition<TriggerChangeCommand<N>> {
  return defineCommand<TriggerChangeCommand<N>>({
    name,
    usage,
    dryRun: true,
    ...(name === 'delete' ? { switches: ['yes'] } : {}),
    needsService: true,
    parse({ positional, options, dryRun, switches }) {
      const [trigger, ...extra] = positional;
      if (!trigger || extra.length > 0 || options.length > 0)
        return mistake(`${name} needs exactly one schedule or rule name`);
      const confirmed = switches.includes('yes');
      return { ok: true, command: { name, trigger, dryRun, ...(confirmed ? { confirmed } : {}) } };
    },
    text: (command) =>
      [
        command.name,
        command.trigger,
        ...(command.confirmed ? ['--yes'] : []),
        ...dryRunToken(command.dryRun),
      ].join(' '),
    change: {
      // A delete nobody said yes to asks first; what it shows is what the person may read.
      ...(name === 'delete'
        ? {
            confirm: (command: TriggerChangeCommand<N>, deps: CommandDeps) =>
              command.confirmed || command.dryRun ? undefined : deleteConfirmation(command, deps),
          }
        : {}),
      // Resuming is pausing's other half: the policy's `pause` covers both.
      action: () => (name === 'delete' ? 'delete' : 'pause'),
      pipelines: pipelinesOfTrigger,
      madeElsewhere: madeElsewhereOf,
      trigger: (command) => command.trigger,
    },
    async run(command, deps) {
      const found = serviceOf(deps, name);
      if (!found.ok) return found.reply;
      const result = await found.service[name](
        command.trigger,
        requestContext(deps, command.dryRun),
      );
      if (!result.ok) return serviceError(result.error);
      if ('dryRun' in result.value) return { kind: 'dry-run', requests: result.value.requests };
      return { kind: 'changed', action: done[name], item: result.value };
    },
  });
}
