import type { ParameterValue } from '../../scheduling/pipeline.js';
import { defineCommand, requestContext, serviceError, serviceOf } from './command.js';
import { dryRunToken, mistake, parameterTokens, parseOptions } from './parsing.js';

export type RunCommand = {
  name: 'run';
  pipeline: string;
  parameters: ParameterValue[];
  dryRun: boolean;
};

export const run = defineCommand<RunCommand>({
  name: 'run',
  usage: {
    syntax: 'run <pipeline> [param:<Name>=<value>]... [--dry-run]',
    summary: 'start a pipeline now',
    example: 'run churn-train param:Epochs=3',
  },
  dryRun: true,
  needsService: true,
  parse({ positional, options, dryRun }) {
    const [pipeline, ...extra] = positional;
    if (!pipeline || extra.length > 0)
      return mistake('run needs one pipeline, then param:Name=value for each parameter');
    const parsed = parseOptions(options, 'run', []);
    if (!parsed.ok) return parsed;
    return { ok: true, command: { name: 'run', pipeline, parameters: parsed.parameters, dryRun } };
  },
  text: (command) =>
    [
      'run',
      command.pipeline,
      ...parameterTokens(command.parameters),
      ...dryRunToken(command.dryRun),
    ].join(' '),
  change: {
    action: () => 'run',
    pipelines: async (command) => [command.pipeline],
  },
  async run(command, deps) {
    const found = serviceOf(deps, 'run');
    if (!found.ok) return found.reply;
    const result = await found.service.runNow(
      command.pipeline,
      command.parameters,
      requestContext(deps, command.dryRun),
    );
    if (!result.ok) return serviceError(result.error);
    if ('dryRun' in result.value) return { kind: 'dry-run', requests: result.value.requests };
    return { kind: 'started', pipeline: command.pipeline, executionArn: result.value.executionArn };
  },
});
