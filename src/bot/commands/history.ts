import { defineCommand, inputError, readerFor, serviceError, serviceOf } from './command.js';
import { jsonSwitch, mistake } from './parsing.js';

export type HistoryCommand = { name: 'history'; pipeline: string; json?: true };

export const history = defineCommand<HistoryCommand>({
  name: 'history',
  usage: {
    syntax: 'history <pipeline> [--json]',
    summary: 'recent executions of a pipeline',
    example: 'history churn-train',
  },
  dryRun: false,
  switches: ['json'],
  needsService: true,
  parse({ positional, options, switches }) {
    const [pipeline, ...extra] = positional;
    if (!pipeline || extra.length > 0 || options.length > 0)
      return mistake('history needs one pipeline');
    return { ok: true, command: { name: 'history', pipeline, ...jsonSwitch(switches) } };
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
    return {
      kind: 'history',
      pipeline: command.pipeline,
      executions: result.value,
      ...jsonSwitch(command),
    };
  },
});
