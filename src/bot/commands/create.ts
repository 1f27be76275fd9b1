import { previewStoredSchedule, type ScheduleWarning } from '../../scheduling/expression/index.js';
import type { ParameterValue } from '../../scheduling/pipeline.js';
import type { SchedulingService } from '../../scheduling/scheduling-service.js';
import {
  MAX_RETRY_ATTEMPTS,
  readFlexibleWindow,
  readRetrySetting,
} from '../../scheduling/trigger-rules.js';
import {
  DEFAULT_RETRY_POLICY,
  deadLetterWarnings,
  type RetryPolicy,
} from '../../scheduling/triggers.js';
import {
  defineCommand,
  inputError,
  requestContext,
  resolveRole,
  serviceError,
  serviceOf,
} from './command.js';
import { parseInstant } from './instant.js';
import {
  dryRunToken,
  mistake,
  optionTokens,
  parameterTokens,
  parseOptions,
  parseState,
} from './parsing.js';
import type { Reply } from './replies.js';

export interface ScheduleOptions {
  name?: string;
  timeZone?: string;
  start?: string;
  end?: string;
  window?: string;
  role?: string;
  state?: 'ENABLED' | 'DISABLED';
  description?: string;
  deadLetterArn?: string;
  retries?: string;
  maxAge?: string;
}

export type CreateCommand = {
  name: 'create';
  pipeline: string;
  expression: string;
  options: ScheduleOptions;
  parameters: ParameterValue[];
  dryRun: boolean;
};

/** `create` with nothing after it: the form (Slack's modal, the terminal's questions). */
export type CreateInteractiveCommand = { name: 'create-interactive' };

/** Typed key → the option it sets. */
const optionKeys: Record<string, keyof ScheduleOptions> = {
  name: 'name',
  tz: 'timeZone',
  start: 'start',
  end: 'end',
  window: 'window',
  role: 'role',
  state: 'state',
  description: 'description',
  dlq: 'deadLetterArn',
  retries: 'retries',
  'max-age': 'maxAge',
};

export const create = defineCommand<CreateCommand | CreateInteractiveCommand>({
  name: 'create',
  produces: ['create-interactive'],
  usage: {
    syntax: `create <pipeline> <expression> [name=<schedule>] [tz=<IANA zone>] [start=<ISO>] [end=<ISO>] [window=<minutes>] [role=<arn|alias>] [state=enabled|disabled] [description=<text>] [retries=<0-${MAX_RETRY_ATTEMPTS}>] [max-age=<seconds>] [dlq=<sqs arn>] [param:<Name>=<value>]... [--dry-run]`,
    summary:
      'schedule a pipeline with at(…), rate(…) or cron(…); with no arguments, asks step by step',
    example:
      "create churn-train 'cron(0 8 ? * MON-FRI *)' tz=Europe/Berlin param:InstanceType=ml.m5.xlarge",
  },
  dryRun: true,
  needsService: true,
  parse({ args, positional, options, dryRun }) {
    if (args.length === 0) return { ok: true, command: { name: 'create-interactive' } };
    const [pipeline, expression, ...extra] = positional;
    if (!pipeline || !expression) return mistake('create needs a pipeline and an expression');
    if (extra.length > 0)
      return mistake(
        `unexpected "${extra[0]}": options are written key=value, parameters param:Name=value`,
      );
    const parsed = parseOptions(options, 'create', Object.keys(optionKeys));
    if (!parsed.ok) return parsed;
    const state = parseState(parsed.options.state);
    if (!state.ok) return state;
    const scheduleOptions: ScheduleOptions = {};
    for (const [key, value] of Object.entries(parsed.options)) {
      const field = optionKeys[key];
      if (field && field !== 'state') scheduleOptions[field] = value;
    }
    if (state.state) scheduleOptions.state = state.state;
    return {
      ok: true,
      command: {
        name: 'create',
        pipeline,
        expression,
        options: scheduleOptions,
        parameters: parsed.parameters,
        dryRun,
      },
    };
  },
  text: (command) =>
    command.name === 'create-interactive'
      ? 'create'
      : [
          'create',
          command.pipeline,
          command.expression,
          ...optionTokens(command.options, optionKeys),
          ...parameterTokens(command.parameters),
          ...dryRunToken(command.dryRun),
        ].join(' '),
  change: {
    action: (command) => (command.name === 'create' ? 'create' : undefined),
    pipelines: async (command) => (command.name === 'create' ? [command.pipeline] : []),
    trigger: (command) => (command.name === 'create' ? command.options.name : undefined),
    role: (command) => (command.name === 'create' ? command.options.role : undefined),
  },
  async run(command, deps) {
    if (command.name === 'create-interactive') return { kind: 'interactive-needed' };
    const found = serviceOf(deps, 'create');
    if (!found.ok) return found.reply;
    const o = command.options;
    const role = resolveRole(o.role, deps);
    if (!role.ok) return role.reply;
    const timeZone = o.timeZone ?? 'UTC';
    const dates: { start?: Date; end?: Date } = {};
    for (const field of ['start', 'end'] as const) {
      const text = o[field];
      if (text === undefined) continue;
      const parsed = parseInstant(field, text, timeZone);
      if (!parsed.ok) return inputError(parsed.message, field);
      dates[field] = parsed.instant;
    }
    let window: number | undefined;
    if (o.window !== undefined) {
      const read = readFlexibleWindow(o.window);
      if (!read.ok) return inputError(read.problem.message, read.problem.field);
      window = read.value;
    }
    const retrySettings = readRetryOptions(o);
    if (!retrySettings.ok) return retrySettings.reply;
    const retry = { ...DEFAULT_RETRY_POLICY, ...retrySettings.value };
    const input = {
      ...(o.retries !== undefined || o.maxAge !== undefined ? { retryPolicy: retry } : {}),
      pipeline: command.pipeline,
      expression: command.expression,
      roleArn: role.arn,
      parameters: command.parameters,
      ...(o.name ? { name: o.name } : {}),
      ...(o.timeZone ? { timeZone: o.timeZone } : {}),
      ...dates,
      ...(window !== undefined ? { flexibleWindowMinutes: window } : {}),
      ...(o.state ? { state: o.state } : {}),
      ...(o.description ? { description: o.description } : {}),
      ...(o.deadLetterArn ? { deadLetterArn: o.deadLetterArn } : {}),
    };
    // Looked for before it exists, or it would collide with itself.
    // The role check and collisions, said beside what was made (or refused, by the policy).
    const lookAround = [
      ...(await found.service.roleWarnings({
        roleArn: role.arn,
        kind: 'schedule',
        pipelines: [command.pipeline],
      })),
      ...(await collisionWarnings(found.service, input, deps.now())),
    ];
    const result = await found.service.createSchedule(input, {
      ...requestContext(deps, command.dryRun),
      collisions: deps.access?.policy.collisions ?? 'warn',
      roleCheck: deps.access?.policy.roleCheck ?? 'warn',
    });
    if (!result.ok) return serviceError(result.error, command.expression);
    // Refused by the service when the policy says so; otherwise said beside what was made.
    if ('dryRun' in result.value)
      return {
        kind: 'dry-run',
        requests: result.value.requests,
        ...(lookAround.length > 0 ? { warnings: lookAround } : {}),
      };
    const schedule = result.value;
    // Every run since the back end created it, counted as the engine fires them: a rate() with
    // no start runs in its creation second, and that run belongs in the reply.
    const preview = previewStoredSchedule(schedule, { now: deps.now(), fromWritten: true });
    if (preview.ok) preview.preview.warnings.push(...deadLetterWarnings(schedule), ...lookAround);
    return {
      kind: 'schedule-created',
      schedule,
      ...(preview.ok ? { preview: preview.preview } : {}),
    };
  },
});

/** `retries=` and `max-age=` as typed, read into the retry policy's terms (the range is checked later). */
export function readRetryOptions(o: {
  retries?: string;
  maxAge?: string;
}): { ok: true; value: Partial<RetryPolicy> } | { ok: false; reply: Reply } {
  const value: Partial<RetryPolicy> = {};
  for (const [label, text, key] of [
    ['retries', o.retries, 'maximumRetryAttempts'],
    ['max-age', o.maxAge, 'maximumEventAgeSeconds'],
  ] as const) {
    if (text === undefined) continue;
    const read = readRetrySetting(label, text);
    if (!read.ok) return { ok: false, reply: inputError(read.problem.message, read.problem.field) };
    value[key] = read.value;
  }
  return { ok: true, value };
}

/**
 * The other triggers this schedule would run its pipeline twice with, as warnings: for the
 * typed create and the modal's live preview alike.
 */
export async function collisionWarnings(
  service: SchedulingService,
  input: Parameters<SchedulingService['collisions']>[0],
  now: Date,
  excluding?: string,
): Promise<ScheduleWarning[]> {
  const found = await service.collisions(input, now, excluding);
  // A look-around that failed must not hide that the schedule was made.
  if (!found.ok) return [];
  return found.value.map((c) => ({ code: 'COLLISION' as const, message: c.words }));
}
