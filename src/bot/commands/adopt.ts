import { madeElsewhereWords } from '../../scheduling/provenance.js';
import type { ScheduleDescription } from '../../scheduling/scheduling-service.js';
import {
  type CommandDeps,
  defineCommand,
  requestContext,
  serviceError,
  serviceOf,
} from './command.js';
import { dryRunToken, mistake, parseOptions } from './parsing.js';

export type AdoptCommand = { name: 'adopt'; trigger: string; as?: string; dryRun: boolean };

/**
 * adopt: a schedule made elsewhere (the SageMaker SDK's `default/<pipeline>`, the console's)
 * becomes the bot's: created identical in its group, the original deleted, as one request that
 * the policy decides as a create (with the schedule's role) and a delete of a trigger made
 * elsewhere.
 */
export const adopt = defineCommand<AdoptCommand>({
  name: 'adopt',
  usage: {
    syntax: 'adopt <group>/<name> [name=<new name>] [--dry-run]',
    summary:
      "moves a schedule made elsewhere into the bot's group, identical, and deletes the original",
    example: 'adopt default/churn-train',
  },
  dryRun: true,
  needsService: true,
  parse({ positional, options, dryRun }) {
    const [trigger, ...extra] = positional;
    if (!trigger || extra.length > 0)
      return mistake('adopt needs exactly one schedule, such as default/churn-train');
    const parsed = parseOptions(options, 'adopt', ['name'], false);
    if (!parsed.ok) return parsed;
    const as = parsed.options.name;
    return {
      ok: true,
      command: { name: 'adopt', trigger, ...(as ? { as } : {}), dryRun },
    };
  },
  text: (command) =>
    [
      'adopt',
      command.trigger,
      ...(command.as ? [`name=${command.as}`] : []),
      ...dryRunToken(command.dryRun),
    ].join(' '),
  change: {
    action: () => 'create',
    // The original is deleted in the same request: the policy's delete rule decides too.
    alsoActions: () => ['delete'],
    async pipelines(command, deps) {
      const found = await deps.service?.describe(command.trigger);
      // Unreadable (AWS throttled, denied): refused, for an undecided change never runs.
      if (found && !found.ok && found.error.code !== 'NOT_FOUND')
        return { refused: serviceError(found.error) };
      const schedule = await scheduleOf(command, deps);
      return schedule ? [schedule.trigger.pipelineName] : undefined;
    },
    async role(command, deps) {
      return (await scheduleOf(command, deps))?.trigger.roleArn;
    },
    async madeElsewhere(command, deps) {
      const found = await scheduleOf(command, deps);
      const words = found && madeElsewhereWords(found.provenance);
      return found && words ? `${found.ref} was ${words}` : undefined;
    },
    trigger: (command) => command.trigger,
  },
  async run(command, deps) {
    const found = serviceOf(deps, 'adopt');
    if (!found.ok) return found.reply;
    // The role moves to another group: a trust policy tied to the old one (aws:SourceArn)
    // would stop every run, so it is checked as for a new schedule.
    const schedule = await scheduleOf(command, deps);
    const warnings = schedule
      ? await found.service.roleWarnings({
          roleArn: schedule.trigger.roleArn,
          kind: 'schedule',
          pipelines: [schedule.trigger.pipelineName],
        })
      : [];
    const result = await found.service.adopt(
      command.trigger,
      command.as ? { name: command.as } : {},
      {
        ...requestContext(deps, command.dryRun),
        roleCheck: deps.access?.policy.roleCheck ?? 'warn',
      },
    );
    if (!result.ok) return serviceError(result.error);
    if ('dryRun' in result.value)
      return {
        kind: 'dry-run',
        requests: result.value.requests,
        ...(warnings.length > 0 ? { warnings } : {}),
      };
    if (warnings.length > 0) return { kind: 'adopted', ...result.value, warnings };
    return { kind: 'adopted', ...result.value };
  },
});

async function scheduleOf(
  command: AdoptCommand,
  deps: CommandDeps,
): Promise<ScheduleDescription | undefined> {
  const found = await deps.service?.describe(command.trigger);
  return found?.ok && found.value.kind === 'schedule' ? found.value : undefined;
}
