import { randomUUID } from 'node:crypto';
import { testEventPattern } from '../../scheduling/events/event-pattern.js';
import { previewSchedule } from '../../scheduling/expression/index.js';
import type { ParameterValue } from '../../scheduling/pipeline.js';
import type {
  RequestContext,
  SchedulingService,
  ServiceError,
} from '../../scheduling/scheduling-service.js';
import { DEFAULT_RETRY_POLICY } from '../../scheduling/triggers.js';
import type { Command } from './grammar.js';
import { parseInstant } from './instant.js';
import { formatCommandError, runPreviewCommand } from './preview-commands.js';
import type { Reply } from './replies.js';

/** What commands need from the running product; the CLI and chat front ends supply it. */
export interface CommandDeps {
  /** Absent where only expressions and patterns can be checked. */
  service?: SchedulingService;
  /** Publishes an event on the local bus; absent on the AWS back end. */
  publishEvent?: (event: unknown) => Promise<{ id: string; source: string; detailType: string }>;
  /** Reads an @file argument (CLI and terminal only). */
  readFile?: (path: string) => string;
  now: () => Date;
  /** Who is asking (a Slack user id, or the terminal's identity). */
  userId?: string;
  /** Execution roles the caller may pass, and their aliases; 'any' on the local back end. */
  allowedRoles: string[] | 'any';
  roleAliases: Record<string, string>;
  /** Used when a command names no role (the local back end's stand-in role). */
  defaultRole?: string;
  /** A fresh id per command; a retried request reuses its id (Slack's envelope id, say). */
  requestId?: string;
}

export async function runCommand(command: Command, deps: CommandDeps): Promise<Reply> {
  switch (command.name) {
    case 'help':
      return { kind: 'help', ...(command.topic ? { topic: command.topic } : {}) };
    case 'create-interactive':
      return { kind: 'interactive-needed' };
    case 'next':
    case 'validate': {
      const result = runPreviewCommand(
        {
          expression: command.expression,
          ...(command.timeZone ? { timeZone: command.timeZone } : {}),
          ...(command.start ? { start: command.start } : {}),
          ...(command.end ? { end: command.end } : {}),
          ...(command.from ? { from: command.from } : {}),
          ...(command.name === 'next' && command.count ? { count: command.count } : {}),
        },
        deps.now(),
        5,
      );
      if (!result.ok) {
        const [message = '', ...excerpt] = formatCommandError(result.error, command.expression);
        return {
          kind: 'error',
          message,
          excerpt,
          field: result.error.field ?? 'expression',
          exitCode: 2,
        };
      }
      return { kind: 'preview', preview: result.preview, runsOnly: command.name === 'next' };
    }
    case 'test-pattern': {
      const pattern = readArgument(command.pattern, deps, 'pattern');
      if (!pattern.ok) return pattern.reply;
      const event = readArgument(command.event, deps, 'event');
      if (!event.ok) return event.reply;
      const result = testEventPattern(pattern.text, event.text);
      if (!result.ok) return inputError(result.error.message);
      return { kind: 'pattern-result', matches: result.matches };
    }
    case 'put-event': {
      if (!deps.publishEvent)
        return inputError(
          'put-event publishes on the local event bus; it works with BACKEND=local',
        );
      const event = readArgument(command.event, deps, 'event');
      if (!event.ok) return event.reply;
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.text);
      } catch (error) {
        return inputError(`event: not valid JSON (${(error as Error).message})`);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        return inputError('event: must be a JSON object');
      const published = await deps.publishEvent(parsed);
      return { kind: 'event-published', ...published };
    }
    default:
      break;
  }
  const service = deps.service;
  if (!service)
    return {
      kind: 'error',
      message: `${command.name} needs the scheduling service, which is not running here`,
      exitCode: 1,
    };
  const ctx = (dryRun = false): RequestContext => ({
    requestId: deps.requestId ?? randomUUID(),
    ...(deps.userId ? { userId: deps.userId } : {}),
    allowedRoles: deps.allowedRoles,
    dryRun,
    now: deps.now(),
  });
  switch (command.name) {
    case 'create': {
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
        if (!/^\d+$/.test(o.window))
          return inputError(
            `window: "${o.window}" should be a number of minutes (1-1440)`,
            'window',
          );
        window = Number(o.window);
      }
      const retry = { ...DEFAULT_RETRY_POLICY };
      for (const [field, text, key] of [
        ['retries', o.retries, 'maximumRetryAttempts'],
        ['max-age', o.maxAge, 'maximumEventAgeSeconds'],
      ] as const) {
        if (text === undefined) continue;
        if (!/^\d+$/.test(text))
          return inputError(`${field}: "${text}" should be a whole number`, field);
        retry[key] = Number(text);
      }
      const result = await service.createSchedule(
        {
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
        },
        ctx(command.dryRun),
      );
      if (!result.ok) return serviceError(result.error, command.expression);
      if ('dryRun' in result.value) return { kind: 'dry-run', requests: result.value.requests };
      const schedule = result.value;
      // A rate() with no start runs at its creation instant: show that run too.
      const createdAt =
        schedule.expression.startsWith('rate') && !schedule.start ? schedule.createdAt : undefined;
      const preview = previewSchedule({
        expression: schedule.expression,
        timeZone: schedule.timeZone,
        now: createdAt ? new Date(createdAt.getTime() - 1) : deps.now(),
        ...(schedule.start ? { start: schedule.start } : createdAt ? { start: createdAt } : {}),
        ...(schedule.end ? { end: schedule.end } : {}),
      });
      return {
        kind: 'schedule-created',
        schedule,
        ...(preview.ok ? { preview: preview.preview } : {}),
      };
    }
    case 'on-event': {
      const role = resolveRole(command.options.role, deps);
      if (!role.ok) return role.reply;
      const pattern = readArgument(command.pattern, deps, 'pattern');
      if (!pattern.ok) return pattern.reply;
      const result = await service.createEventTrigger(
        {
          pipelines: command.pipelines,
          eventPattern: pattern.text,
          roleArn: role.arn,
          parameters: command.parameters,
          ...(command.options.name ? { name: command.options.name } : {}),
          ...(command.options.state ? { state: command.options.state } : {}),
          ...(command.options.description ? { description: command.options.description } : {}),
        },
        ctx(command.dryRun),
      );
      if (!result.ok) return serviceError(result.error);
      if ('dryRun' in result.value) return { kind: 'dry-run', requests: result.value.requests };
      return { kind: 'rule-created', rule: result.value };
    }
    case 'list': {
      const result = await service.list({
        ...(command.pipeline ? { pipeline: command.pipeline } : {}),
        maxResults: 100,
      });
      if (!result.ok) return serviceError(result.error);
      return {
        kind: 'list',
        items: result.value.items,
        ...(command.pipeline ? { filter: command.pipeline } : {}),
        more: result.value.nextToken !== undefined,
      };
    }
    case 'describe': {
      const now = deps.now();
      const result = await service.describe(command.trigger, now);
      if (!result.ok) return serviceError(result.error);
      return { kind: 'described', description: result.value, now };
    }
    case 'delete':
    case 'pause':
    case 'resume': {
      const result = await service[command.name](command.trigger, ctx(command.dryRun));
      if (!result.ok) return serviceError(result.error);
      if ('dryRun' in result.value) return { kind: 'dry-run', requests: result.value.requests };
      const action =
        command.name === 'delete' ? 'deleted' : command.name === 'pause' ? 'paused' : 'resumed';
      return { kind: 'changed', action, item: result.value };
    }
    case 'run': {
      const result = await service.runNow(
        command.pipeline,
        command.parameters as ParameterValue[],
        ctx(command.dryRun),
      );
      if (!result.ok) return serviceError(result.error);
      if ('dryRun' in result.value) return { kind: 'dry-run', requests: result.value.requests };
      return {
        kind: 'started',
        pipeline: command.pipeline,
        executionArn: result.value.executionArn,
      };
    }
    case 'history': {
      const result = await service.history(command.pipeline);
      if (!result.ok) return serviceError(result.error);
      return { kind: 'history', pipeline: command.pipeline, executions: result.value };
    }
    case 'orphans': {
      if (!command.clean) {
        const result = await service.orphans();
        if (!result.ok) return serviceError(result.error);
        return { kind: 'orphans', orphans: result.value, cleaned: false };
      }
      const result = await service.cleanUpOrphans(ctx(command.dryRun));
      if (!result.ok) return serviceError(result.error);
      if ('dryRun' in result.value) return { kind: 'dry-run', requests: result.value.requests };
      return { kind: 'orphans', orphans: result.value, cleaned: true };
    }
    case 'pipelines': {
      const result = await service.pipelines(command.prefix);
      if (!result.ok) return serviceError(result.error);
      return {
        kind: 'pipelines',
        pipelines: result.value.items,
        more: result.value.nextToken !== undefined,
      };
    }
  }
  return inputError('unknown command');
}

function inputError(message: string, field?: string): Reply {
  return { kind: 'error', message, ...(field ? { field } : {}), exitCode: 2 };
}

const inputCodes = new Set([
  'INVALID_INPUT',
  'ROLE_NOT_ALLOWED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'VALIDATION',
]);

function serviceError(error: ServiceError, expression?: string): Reply {
  const excerpt =
    expression && error.field === 'expression'
      ? formatCommandError(error as never, expression).slice(1)
      : [];
  return {
    kind: 'error',
    message: error.message,
    ...(error.field ? { field: error.field } : {}),
    ...(excerpt.length ? { excerpt } : {}),
    exitCode: inputCodes.has(error.code) ? 2 : 1,
  };
}

function resolveRole(
  role: string | undefined,
  deps: CommandDeps,
): { ok: true; arn: string } | { ok: false; reply: Reply } {
  if (role === undefined) {
    if (deps.defaultRole) return { ok: true, arn: deps.defaultRole };
    const aliases = Object.keys(deps.roleAliases);
    return {
      ok: false,
      reply: inputError(
        `role: say which execution role the trigger uses: role=<arn>${aliases.length ? ` or one of ${aliases.join(', ')}` : ''}`,
        'role',
      ),
    };
  }
  const alias = deps.roleAliases[role];
  if (alias) return { ok: true, arn: alias };
  if (role.startsWith('arn:')) return { ok: true, arn: role };
  const aliases = Object.keys(deps.roleAliases);
  return {
    ok: false,
    reply: inputError(
      `role: "${role}" is neither a role ARN nor a known alias${aliases.length ? ` (${aliases.join(', ')})` : ''}`,
      'role',
    ),
  };
}

/** Inline JSON, or @path to read (CLI and terminal). */
function readArgument(
  value: string,
  deps: CommandDeps,
  label: string,
): { ok: true; text: string } | { ok: false; reply: Reply } {
  if (!value.startsWith('@')) return { ok: true, text: value };
  if (!deps.readFile)
    return {
      ok: false,
      reply: inputError(
        `${label}: @file works in the terminal and the CLI; paste the JSON here instead`,
      ),
    };
  try {
    return { ok: true, text: deps.readFile(value.slice(1)) };
  } catch (error) {
    return {
      ok: false,
      reply: inputError(
        `${label}: cannot read ${value.slice(1)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      ),
    };
  }
}
