import type { ScheduleWarning } from '../../scheduling/expression/index.js';
import type { CommandDeps } from './command.js';
import { resolveRole } from './command.js';
import type { Command } from './grammar.js';

/**
 * The role check of a command that makes a trigger (adopt too: the role moves to another
 * group), as warnings, for the places that show one before it runs: the approval message and
 * the create modal. An unresolvable role says nothing here; running the command says what is
 * wrong with it.
 */
export async function roleWarningsOf(
  command: Command,
  deps: CommandDeps,
): Promise<ScheduleWarning[]> {
  if (!deps.service) return [];
  if (command.name === 'adopt') {
    const found = await deps.service.describe(command.trigger).catch(() => undefined);
    if (!found?.ok || found.value.kind !== 'schedule') return [];
    const { roleArn, pipelineName } = found.value.trigger;
    return deps.service
      .roleWarnings({ roleArn, kind: 'schedule', pipelines: [pipelineName] })
      .catch(() => []);
  }
  if (command.name !== 'create' && command.name !== 'on-event') return [];
  const role = resolveRole(command.options.role, deps);
  if (!role.ok) return [];
  return deps.service
    .roleWarnings(
      command.name === 'create'
        ? { roleArn: role.arn, kind: 'schedule', pipelines: [command.pipeline] }
        : { roleArn: role.arn, kind: 'event', pipelines: command.pipelines },
    )
    .catch(() => []);
}
