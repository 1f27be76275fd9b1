import { defineCommand, inputError, readerFor, serviceError, serviceOf } from './command.js';
import { mistake } from './parsing.js';

export type ListCommand = { name: 'list'; pipeline?: string };

export const list = defineCommand<ListCommand>({
  name: 'list',
  usage: {
    syntax: 'list [<pipeline>]',
    summary: 'the schedules and rules, or those of one pipeline',
    example: 'list churn-train',
  },
  dryRun: false,
  needsService: true,
  parse({ positional, options }) {
    if (options.length > 0 || positional.length > 1)
      return mistake('list takes at most one pipeline');
    const [pipeline] = positional;
    return { ok: true, command: { name: 'list', ...(pipeline ? { pipeline } : {}) } };
  },
  async run(command, deps) {
    const reader = await readerFor(deps);
    if (!reader.ok) return inputError(reader.reason);
    const found = serviceOf(deps, 'list');
    if (!found.ok) return found.reply;
    const result = await found.service.list({
      ...(command.pipeline ? { pipeline: command.pipeline } : {}),
      maxResults: 100,
    });
    if (!result.ok) return serviceError(result.error);
    return {
      kind: 'list',
      items: result.value.items.filter((item) => reader.mayRead(item.pipelineNames)),
      ...(command.pipeline ? { filter: command.pipeline } : {}),
      more: result.value.nextToken !== undefined,
    };
  },
});
