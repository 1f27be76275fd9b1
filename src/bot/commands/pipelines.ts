import { defineCommand, inputError, readerFor, serviceError, serviceOf } from './command.js';
import { mistake } from './parsing.js';

export type PipelinesCommand = { name: 'pipelines'; prefix?: string };

export const pipelines = defineCommand<PipelinesCommand>({
  name: 'pipelines',
  usage: {
    syntax: 'pipelines [<prefix>]',
    summary: 'the pipelines you can schedule',
    example: 'pipelines churn',
  },
  dryRun: false,
  needsService: true,
  parse({ positional, options }) {
    if (options.length > 0 || positional.length > 1)
      return mistake('pipelines takes at most one prefix');
    const [prefix] = positional;
    return { ok: true, command: { name: 'pipelines', ...(prefix ? { prefix } : {}) } };
  },
  async run(command, deps) {
    const reader = await readerFor(deps);
    if (!reader.ok) return inputError(reader.reason);
    const found = serviceOf(deps, 'pipelines');
    if (!found.ok) return found.reply;
    const result = await found.service.pipelines(command.prefix);
    if (!result.ok) return serviceError(result.error);
    return {
      kind: 'pipelines',
      pipelines: result.value.items.filter((p) => reader.mayRead([p.name])),
      more: result.value.nextToken !== undefined,
    };
  },
});
