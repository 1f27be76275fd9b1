import { defineCommand, inputError, readerFor, serviceError, serviceOf } from './command.js';
import { mistake } from './parsing.js';

export type HistoryCommand = { name: 'history'; pipeline: string };

export const history = defineCommand<HistoryCommand>({
  name: 'history',
  usage: {
    syntax: 'history <pipeline>',
    summary: 'recent executions of a pipeline',
    example: 'history churn-train',
  },
  dryRun: false,
  needsService: true,
  parse({ positional, options }) {
    const [pipeline, ...extra] = positional;
    if (!pipeline || extra.length > 0 || options.length > 0)
      return mistake('history needs one pipeline');
    return { ok: true, command: { name: 'history', pipeline } };
  },
  async run(command, deps) {
    const reader = await readerFor(deps);
    if (!reader.ok) return inputError(reader.reason);
    const denied = reader.denial([command.pipeline]);
    if (denied) return inputError(denied);
    const found = serviceOf(deps, 'history');
    if (!found.ok) return found.reply;
    const result = await found.service.history(command.pipeline);
    if (!result.ok) return serviceError(result.error);
    return { kind: 'history', pipeline: command.pipeline, executions: result.value };
  },
});
