import { defineCommand, inputError, readerFor, serviceError, serviceOf } from './command.js';
import { jsonSwitch, mistake } from './parsing.js';

export type DescribeCommand = { name: 'describe'; trigger: string; json?: true };

export const describe = defineCommand<DescribeCommand>({
  name: 'describe',
  usage: {
    syntax: 'describe <name> [--json]',
    summary: 'everything about a schedule or rule, with its next runs',
    example: 'describe churn-weekdays',
  },
  dryRun: false,
  switches: ['json'],
  needsService: true,
  parse({ positional, options, switches }) {
    const [trigger, ...extra] = positional;
    if (!trigger || extra.length > 0 || options.length > 0)
      return mistake('describe needs exactly one schedule or rule name');
    return { ok: true, command: { name: 'describe', trigger, ...jsonSwitch(switches) } };
  },
  async run(command, deps) {
    const reader = await readerFor(deps);
    if (!reader.ok) return inputError(reader.reason);
    const found = serviceOf(deps, 'describe');
    if (!found.ok) return found.reply;
    const now = deps.now();
    const result = await found.service.describe(command.trigger, now);
    if (!result.ok) return serviceError(result.error);
    const denied = reader.denial(pipelinesOfDescription(result.value));
    if (denied) return inputError(denied);
    return { kind: 'described', description: result.value, now, ...jsonSwitch(command) };
  },
});

/** The pipelines a schedule or a rule starts. */
export function pipelinesOfDescription(
  d:
    | { kind: 'schedule'; trigger: { pipelineName: string } }
    | { kind: 'event'; trigger: { targets: Array<{ pipelineName: string }> } },
): string[] {
  return d.kind === 'schedule'
    ? [d.trigger.pipelineName]
    : d.trigger.targets.map((t) => t.pipelineName);
}
