import { previewStoredSchedule } from '../../scheduling/expression/index.js';
import type { ParameterValue } from '../../scheduling/pipeline.js';
import type { TriggerUpdate } from '../../scheduling/scheduling-service.js';
import type { TriggerChanges } from '../../scheduling/trigger-changes.js';
import { MAX_RETRY_ATTEMPTS, readFlexibleWindow } from '../../scheduling/trigger-rules.js';
import type { ScheduleTrigger } from '../../scheduling/triggers.js';
import {
  type CommandDeps,
  defineCommand,
  inputError,
  readArgument,
  requestContext,
  resolveRole,
  serviceError,
  serviceOf,
} from './command.js';
import { collisionWarnings, readRetryOptions } from './create.js';
import { parseInstant } from './instant.js';
import {
  dryRunToken,
  mistake,
  optionTokens,
  parameterTokens,
  parseOptions,
  quote,
} from './parsing.js';
import type { Reply } from './replies.js';
import { describedOnce, madeElsewhereOf, pipelinesOfTrigger } from './trigger-change.js';

export interface UpdateOptions {
  timeZone?: string;
  start?: string;
  end?: string;
  window?: string;
  role?: string;
  description?: string;
  retries?: string;
  maxAge?: string;
  deadLetterArn?: string;
  /** Parameter names, comma-separated, the trigger stops setting. */
  unset?: string;
}

export type UpdateCommand = {
  name: 'update';
  trigger: string;
  /** A schedule's new at(…), rate(…) or cron(…). */
  expression?: string;
  /** A rule's new event pattern (JSON, or @file where files can be read). */
  pattern?: string;
  options: UpdateOptions;
  parameters: ParameterValue[];
  dryRun: boolean;
};

/** Typed key → the option it sets. */
const optionKeys: Record<string, keyof UpdateOptions> = {
  tz: 'timeZone',
  start: 'start',
  end: 'end',
  window: 'window',
  role: 'role',
  description: 'description',
  retries: 'retries',
  'max-age': 'maxAge',
  dlq: 'deadLetterArn',
  unset: 'unset',
};

/** What clears a start, an end or a flexible window. */
const CLEARED = /^(none|off)$/i;

/** How many runs before and after the change are shown side by side. */
const COMPARED_RUNS = 3;

export const update = defineCommand<UpdateCommand>({
  name: 'update',
  usage: {
    syntax: `update <name> [<expression>|<event-pattern JSON>] [tz=<IANA zone>] [start=<ISO>|none] [end=<ISO>|none] [window=<minutes>|off] [role=<arn|alias>] [description=<text>] [retries=<0-${MAX_RETRY_ATTEMPTS}>] [max-age=<seconds>] [dlq=<sqs arn>|none] [param:<Name>=<value>]... [unset=<Name>[,<Name>…]] [--dry-run]`,
    summary:
      'change a schedule or a rule in place: what you name changes, the rest stays; shows before → after',
    example: "update churn-nightly 'cron(30 6 ? * MON-FRI *)' tz=Europe/Berlin param:Epochs=20",
  },
  dryRun: true,
  needsService: true,
  parse({ positional, options, dryRun }) {
    const [trigger, change, ...extra] = positional;
    if (!trigger) return mistake('update needs the name of a schedule or rule');
    if (extra.length > 0)
      return mistake(
        `unexpected "${extra[0]}": options are written key=value, parameters param:Name=value`,
      );
    const parsed = parseOptions(options, 'update', Object.keys(optionKeys));
    if (!parsed.ok) return parsed;
    const updateOptions: UpdateOptions = {};
    for (const [key, value] of Object.entries(parsed.options)) {
      const field = optionKeys[key];
      if (field) updateOptions[field] = value;
    }
    if (
      change === undefined &&
      Object.keys(updateOptions).length === 0 &&
      !parsed.parameters.length
    )
      return mistake(
        `update ${trigger} changes nothing: give a new expression or pattern, an option such as tz= or end=, or param:Name=value`,
      );
    const isPattern = change !== undefined && /^[{@]/.test(change);
    return {
      ok: true,
      command: {
        name: 'update',
        trigger,
        ...(change !== undefined ? (isPattern ? { pattern: change } : { expression: change }) : {}),
        options: updateOptions,
        parameters: parsed.parameters,
        dryRun,
      },
    };
  },
  text: (command) =>
    [
      'update',
      command.trigger,
      ...(command.expression ? [command.expression] : []),
      ...(command.pattern ? [quote(command.pattern)] : []),
      ...optionTokens(command.options, optionKeys),
      ...parameterTokens(command.parameters),
      ...dryRunToken(command.dryRun),
    ].join(' '),
  change: {
    action: () => 'update',
    pipelines: pipelinesOfTrigger,
    madeElsewhere: madeElsewhereOf,
    trigger: (command) => command.trigger,
    role: (command) => command.options.role,
  },
  async run(command, deps) {
    const found = serviceOf(deps, 'update');
    if (!found.ok) return found.reply;
    const changes = await changesOf(command, deps);
    if ('kind' in changes) return changes;
    const result = await found.service.updateTrigger(command.trigger, changes, {
      ...requestContext(deps, command.dryRun),
      collisions: deps.access?.policy.collisions ?? 'warn',
      roleCheck: deps.access?.policy.roleCheck ?? 'warn',
    });
    if (!result.ok) return serviceError(result.error, command.expression);
    const updated = result.value;
    const roleWarnings =
      changes.roleArn !== undefined
        ? await found.service.roleWarnings({
            roleArn: changes.roleArn,
            kind: updated.kind,
            pipelines:
              updated.kind === 'schedule'
                ? [updated.after.pipelineName]
                : updated.after.targets.map((t) => t.pipelineName),
          })
        : [];
    // Retimed, a schedule may now run its pipeline when another trigger does.
    const retimed =
      updated.kind === 'schedule' &&
      updated.changes.some((c) => ['expression', 'time zone', 'start', 'end'].includes(c.field));
    const collisions =
      retimed && updated.kind === 'schedule'
        ? await collisionWarnings(
            found.service,
            {
              pipeline: updated.after.pipelineName,
              expression: updated.after.expression,
              name: updated.after.name,
              timeZone: updated.after.timeZone,
              ...(updated.after.start ? { start: updated.after.start } : {}),
              ...(updated.after.end ? { end: updated.after.end } : {}),
            },
            deps.now(),
            updated.ref,
          )
        : [];
    const warnings = [...roleWarnings, ...collisions];
    return {
      kind: 'trigger-updated',
      update: updated,
      ...runsBeforeAndAfter(updated, deps.now()),
      ...(warnings.length ? { warnings } : {}),
    };
  },
});

/** What was typed, read into the service's terms; a reply when something typed is wrong. */
async function changesOf(
  command: UpdateCommand,
  deps: CommandDeps,
): Promise<TriggerChanges | Reply> {
  const o = command.options;
  const changes: TriggerChanges = {};
  if (command.expression !== undefined) changes.expression = command.expression;
  if (command.pattern !== undefined) {
    const read = readArgument(command.pattern, deps, 'pattern');
    if (!read.ok) return read.reply;
    changes.eventPattern = read.text;
  }
  if (o.timeZone !== undefined) changes.timeZone = o.timeZone;
  if (o.role !== undefined) {
    const role = resolveRole(o.role, deps);
    if (!role.ok) return role.reply;
    changes.roleArn = role.arn;
  }
  if (o.description !== undefined) changes.description = o.description;
  if (o.deadLetterArn !== undefined)
    changes.deadLetterArn = CLEARED.test(o.deadLetterArn) ? null : o.deadLetterArn;
  if (command.parameters.length > 0) changes.parameters = command.parameters;
  const unset = (o.unset ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (unset.length > 0) changes.unsetParameters = unset;
  if (o.start !== undefined || o.end !== undefined) {
    // A local time is read in the zone the schedule will have.
    const described = await describedOnce(command, deps);
    const zone =
      o.timeZone ??
      (described?.ok && described.value.kind === 'schedule'
        ? described.value.trigger.timeZone
        : 'UTC');
    for (const field of ['start', 'end'] as const) {
      const text = o[field];
      if (text === undefined) continue;
      if (CLEARED.test(text)) {
        changes[field] = null;
        continue;
      }
      const parsed = parseInstant(field, text, zone);
      if (!parsed.ok) return inputError(parsed.message, field);
      changes[field] = parsed.instant;
    }
  }
  if (o.window !== undefined) {
    if (CLEARED.test(o.window)) changes.flexibleWindowMinutes = null;
    else {
      const read = readFlexibleWindow(o.window);
      if (!read.ok) return inputError(read.problem.message, read.problem.field);
      changes.flexibleWindowMinutes = read.value;
    }
  }
  if (o.retries !== undefined || o.maxAge !== undefined) {
    const retry = readRetryOptions(o);
    if (!retry.ok) return retry.reply;
    changes.retryPolicy = retry.value;
  }
  return changes;
}

/** A schedule's next runs as they are and as they would be, for the diff. */
function runsBeforeAndAfter(
  updated: TriggerUpdate,
  now: Date,
): { runs?: { before: Date[]; after: Date[]; timeZone: string; afterZone: string } } {
  if (updated.kind !== 'schedule') return {};
  const next = (s: ScheduleTrigger) => {
    if (s.state !== 'ENABLED') return [];
    const preview = previewStoredSchedule(s, { now, count: COMPARED_RUNS });
    return preview.ok ? preview.preview.occurrences : [];
  };
  return {
    runs: {
      before: next(updated.before),
      after: next(updated.after),
      timeZone: updated.before.timeZone,
      afterZone: updated.after.timeZone,
    },
  };
}
