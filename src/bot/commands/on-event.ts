import type { ParameterValue } from '../../scheduling/pipeline.js';
import {
  defineCommand,
  fileSafe,
  inputError,
  readArgument,
  requestContext,
  resolveRole,
  serviceError,
  serviceOf,
} from './command.js';
import {
  dryRunToken,
  mistake,
  optionTokens,
  parameterTokens,
  parseOptions,
  parseState,
} from './parsing.js';

export type OnEventCommand = {
  name: 'on-event';
  pipelines: string[];
  pattern: string;
  options: {
    name?: string;
    role?: string;
    state?: 'ENABLED' | 'DISABLED';
    description?: string;
  };
  parameters: ParameterValue[];
  dryRun: boolean;
};

const optionKeys = { name: 'name', role: 'role', state: 'state', description: 'description' };

export const onEvent = defineCommand<OnEventCommand>({
  name: 'on-event',
  usage: {
    syntax:
      'on-event <pipeline>[,<pipeline>…] <event-pattern JSON> [name=<rule>] [role=<arn|alias>] [param:<Name>=<value>|param:<Name>=$.json.path]... [--dry-run]',
    summary: 'start pipelines (at most 5) whenever an EventBridge event matches the pattern',
    example:
      'on-event ingest-daily {"source":["aws.s3"],"detail":{"object":{"key":[{"prefix":"daily/"}]}}} param:InputDataUri=$.detail.object.key',
  },
  dryRun: true,
  needsService: true,
  parse({ positional, options, dryRun }) {
    const [pipelines, pattern, ...extra] = positional;
    if (!pipelines || !pattern) return mistake('on-event needs pipelines and an event pattern');
    if (extra.length > 0)
      return mistake(`unexpected "${extra[0]}" (is the pattern quoted as one piece of JSON?)`);
    const parsed = parseOptions(options, 'on-event', Object.keys(optionKeys));
    if (!parsed.ok) return parsed;
    const state = parseState(parsed.options.state);
    if (!state.ok) return state;
    return {
      ok: true,
      command: {
        name: 'on-event',
        pipelines: pipelines
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
        pattern,
        options: {
          ...(parsed.options.name ? { name: parsed.options.name } : {}),
          ...(parsed.options.role ? { role: parsed.options.role } : {}),
          ...(state.state ? { state: state.state } : {}),
          ...(parsed.options.description ? { description: parsed.options.description } : {}),
        },
        parameters: parsed.parameters,
        dryRun,
      },
    };
  },
  text: (command) =>
    [
      'on-event',
      command.pipelines.join(','),
      command.pattern,
      ...optionTokens(command.options, optionKeys),
      ...parameterTokens(command.parameters),
      ...dryRunToken(command.dryRun),
    ].join(' '),
  change: {
    action: () => 'create',
    pipelines: async (command) => command.pipelines,
    trigger: (command) => command.options.name,
    role: (command) => command.options.role,
  },
  async run(command, deps) {
    const found = serviceOf(deps, 'on-event');
    if (!found.ok) return found.reply;
    const role = resolveRole(command.options.role, deps);
    if (!role.ok) return role.reply;
    const pattern = readArgument(command.pattern, deps, 'pattern');
    if (!pattern.ok) return pattern.reply;
    const roleProblems = await found.service.roleWarnings({
      roleArn: role.arn,
      kind: 'event',
      pipelines: command.pipelines,
    });
    const result = await found.service.createEventTrigger(
      {
        pipelines: command.pipelines,
        eventPattern: pattern.text,
        roleArn: role.arn,
        parameters: command.parameters,
        ...(command.options.name ? { name: command.options.name } : {}),
        ...(command.options.state ? { state: command.options.state } : {}),
        ...(command.options.description ? { description: command.options.description } : {}),
      },
      {
        ...requestContext(deps, command.dryRun),
        roleCheck: deps.access?.policy.roleCheck ?? 'warn',
      },
    );
    if (!result.ok)
      return result.error.field === 'eventPattern' && pattern.file
        ? inputError(fileSafe('', pattern, 'pattern', 'a valid event pattern'), 'eventPattern')
        : serviceError(result.error);
    const warnings = roleProblems.length > 0 ? { warnings: roleProblems } : {};
    if ('dryRun' in result.value)
      return { kind: 'dry-run', requests: result.value.requests, ...warnings };
    return { kind: 'rule-created', rule: result.value, ...warnings };
  },
});
