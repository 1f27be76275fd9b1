import { randomUUID } from 'node:crypto';
import type {
  AccessControl,
  AccessRequest,
  ReadFilter,
  RequestPayload,
} from '../../auth/access.js';
import type { ExecutionOutcome } from '../../auth/approvals.js';
import { testEventPattern } from '../../scheduling/events/event-pattern.js';
import { previewSchedule } from '../../scheduling/expression/index.js';
import type { ParameterValue } from '../../scheduling/pipeline.js';
import type {
  RequestContext,
  SchedulingService,
  ServiceError,
} from '../../scheduling/scheduling-service.js';
import { DEFAULT_RETRY_POLICY, deadLetterWarnings } from '../../scheduling/triggers.js';
import type { Store } from '../../store/store.js';
import { type Command, commandText } from './grammar.js';
import { parseInstant } from './instant.js';
import { formatCommandError, runPreviewCommand } from './preview-commands.js';
import type { Reply } from './replies.js';

/** The local back end's event bus, for put-event. */
export interface LocalEventsPort {
  /** The event as the bus will carry it, and the pipelines its enabled rules would start. */
  prepare(event: Record<string, unknown>): Promise<PreparedEvent>;
  /** Publishes it, unless an event with its id was received before. */
  publish(event: PreparedEvent): Promise<{ duplicate: boolean }>;
}

export interface PreparedEvent {
  id: string;
  source: string;
  detailType: string;
  pipelines: string[];
  /** The envelope itself, opaque here. */
  event: unknown;
}

/**
 * Sources whose events the bot believes: a forged pipeline status would post "Failed" to an
 * alerts channel, so nobody publishes them by hand.
 */
const RESERVED_SOURCES = new Set(['aws.sagemaker']);

/** What commands need from the running product; the CLI and chat front ends supply it. */
export interface CommandDeps {
  /** Absent where only expressions and patterns can be checked. */
  service?: SchedulingService;
  /** The local event bus; absent on the AWS back end. */
  localEvents?: LocalEventsPort;
  /**
   * Reads an @file argument: given only where the person is on the machine (terminal, CLI),
   * never for Slack, whose users must not read the server's files.
   */
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
  /** The access policy and approvals; without it every command runs (tests, expression tools). */
  access?: AccessControl;
  /** The Slack channel the command came from, for channel-scoped policy rules. */
  channelId?: string;
  /** Set when running a request that was approved: it is not sent for approval again. */
  approved?: boolean;
  /** Where denials and outcomes are recorded. */
  auditLog?: Store['audit'];
  /** Which channels follow which pipelines. */
  subscriptions?: Store['subscriptions'];
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
      if (!result.ok)
        return inputError(
          result.error.code === 'INVALID_EVENT'
            ? fileSafe(result.error.message, event, 'event', 'an EventBridge event')
            : fileSafe(result.error.message, pattern, 'pattern', 'a valid event pattern'),
        );
      return { kind: 'pattern-result', matches: result.matches };
    }
    case 'put-event': {
      if (!deps.localEvents)
        return inputError(
          'put-event publishes on the local event bus; it works with BACKEND=local',
        );
      const event = readArgument(command.event, deps, 'event');
      if (!event.ok) return event.reply;
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.text);
      } catch (error) {
        return inputError(
          event.file
            ? `event: ${event.file} is not valid JSON (its content is not shown)`
            : `event: not valid JSON (${(error as Error).message})`,
        );
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        return inputError('event: must be a JSON object');
      const source = (parsed as { source?: unknown }).source;
      if (typeof source === 'string' && RESERVED_SOURCES.has(source))
        return inputError(
          `event: source ${source} is reserved: pipeline status events come from SageMaker only`,
        );
      const prepared = await deps.localEvents.prepare(parsed as Record<string, unknown>);
      const denied = await putEventDenied(prepared, deps);
      if (denied) return denied;
      const published = await deps.localEvents.publish(prepared);
      return {
        kind: 'event-published',
        id: prepared.id,
        source: prepared.source,
        detailType: prepared.detailType,
        ...(published.duplicate ? { duplicate: true } : {}),
      };
    }
    default:
      break;
  }
  const accessReply =
    (await accessCommand(command, deps)) ?? (await subscriptionCommand(command, deps));
  if (accessReply) return accessReply;
  const gate = await gateChange(command, deps);
  if (gate.kind === 'reply') return gate.reply;
  const result = await runChange(command, { ...deps, ...gate.deps });
  if (gate.audited) await auditOutcome(command, deps, result);
  return result;
}

async function runChange(command: Command, deps: CommandDeps): Promise<Reply> {
  const reader = isRead(command) ? await readerFor(deps) : OPEN_READER;
  if (!reader.ok) return inputError(reader.reason);
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
    ...(deps.channelId ? { channelId: deps.channelId } : {}),
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
      if (preview.ok) preview.preview.warnings.push(...deadLetterWarnings(schedule));
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
      if (!result.ok)
        return result.error.field === 'eventPattern' && pattern.file
          ? inputError(fileSafe('', pattern, 'pattern', 'a valid event pattern'), 'eventPattern')
          : serviceError(result.error);
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
        items: result.value.items.filter((item) => reader.mayRead(item.pipelineNames)),
        ...(command.pipeline ? { filter: command.pipeline } : {}),
        more: result.value.nextToken !== undefined,
      };
    }
    case 'describe': {
      const now = deps.now();
      const result = await service.describe(command.trigger, now);
      if (!result.ok) return serviceError(result.error);
      const names =
        result.value.kind === 'schedule'
          ? [result.value.trigger.pipelineName]
          : result.value.trigger.targets.map((t) => t.pipelineName);
      const denied = reader.denial(names);
      if (denied) return inputError(denied);
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
      const denied = reader.denial([command.pipeline]);
      if (denied) return inputError(denied);
      const result = await service.history(command.pipeline);
      if (!result.ok) return serviceError(result.error);
      return { kind: 'history', pipeline: command.pipeline, executions: result.value };
    }
    case 'orphans': {
      if (!command.clean) {
        const result = await service.orphans();
        if (!result.ok) return serviceError(result.error);
        return {
          kind: 'orphans',
          orphans: result.value.filter((o) => reader.mayRead(o.missingPipelines)),
          cleaned: false,
        };
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
        pipelines: result.value.items.filter((p) => reader.mayRead([p.name])),
        more: result.value.nextToken !== undefined,
      };
    }
  }
  return inputError('unknown command');
}

/**
 * The newest `limit` entries this person may read: entries about pipelines they may not see are
 * skipped, reading further back (bounded) so the page is still full.
 */
async function visibleAuditEntries(
  log: NonNullable<CommandDeps['auditLog']>,
  reader: Extract<ReadFilter, { ok: true }>,
  limit: number,
  pipeline: string | undefined,
) {
  const scanned = await log.list({
    limit: Math.min(limit * 10, 5_000),
    ...(pipeline ? { pipeline } : {}),
  });
  return scanned.filter((entry) => reader.mayRead(entry.pipelineNames)).slice(0, limit);
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

/** Inline JSON, or @path to read where the person is on the machine (terminal, CLI). */
function readArgument(
  value: string,
  deps: CommandDeps,
  label: string,
): { ok: true; text: string; file?: string } | { ok: false; reply: Reply } {
  if (!value.startsWith('@')) return { ok: true, text: value };
  const file = value.slice(1);
  if (!deps.readFile)
    return {
      ok: false,
      reply: inputError(
        `${label}: files cannot be read from here (@file works in the terminal and the CLI); paste the JSON here instead`,
      ),
    };
  try {
    return { ok: true, text: deps.readFile(file), file };
  } catch (error) {
    return { ok: false, reply: inputError(`${label}: ${(error as Error).message}`) };
  }
}

/**
 * An error about an argument read from a file names the file, never its content: a message
 * that quotes what it could not parse would print a secret the file happened to hold.
 */
function fileSafe(message: string, argument: { file?: string }, label: string, what: string) {
  return argument.file
    ? `${label}: ${argument.file} does not hold ${what} (its content is not shown; check the file, or paste the JSON to see where)`
    : message;
}

// ---------------------------------------------------------------------------------------------
// Access control: who may do what, approvals, the audit log.

type ChangeCommand = Extract<
  Command,
  { name: 'create' | 'on-event' | 'delete' | 'pause' | 'resume' | 'run' | 'orphans' }
>;

const actionOf: Record<ChangeCommand['name'], AccessRequest['action']> = {
  create: 'create',
  'on-event': 'create',
  delete: 'delete',
  pause: 'pause',
  resume: 'pause',
  run: 'run',
  orphans: 'delete',
};

function isChange(command: Command): command is ChangeCommand {
  return command.name in actionOf && !(command.name === 'orphans' && !command.clean);
}

type Gate =
  | { kind: 'reply'; reply: Reply }
  | { kind: 'go'; deps: Partial<CommandDeps>; audited: boolean };

/**
 * Before a change runs: decide it against the policy. Denied → the reason (audited). Needs
 * approval → a stored request (or, on a dry run, the requests it would send). Allowed → it
 * runs with the execution roles the rule allows.
 */
async function gateChange(command: Command, deps: CommandDeps): Promise<Gate> {
  const access = deps.access;
  if (!access || !isChange(command)) return { kind: 'go', deps: {}, audited: false };
  const userId = deps.userId ?? 'unknown';
  const pipelines = await pipelinesOf(command, deps);
  if (!pipelines.ok) return { kind: 'go', deps: {}, audited: false }; // the service says "not found"
  if (pipelines.names.length === 0) return { kind: 'go', deps: {}, audited: false }; // nothing to clean
  const role =
    'options' in command && command.options.role !== undefined ? command.options.role : undefined;
  const request: AccessRequest = {
    userId,
    action: actionOf[command.name],
    pipelineNames: pipelines.names,
    ...(deps.channelId ? { channelId: deps.channelId } : {}),
    ...(role ? { executionRole: role } : {}),
  };
  const decision = await access.decide(request);
  if (decision.outcome === 'deny') {
    await audit(deps, {
      event: 'denied',
      command,
      pipelineNames: pipelines.names,
      details: { reason: decision.reason },
    });
    return { kind: 'reply', reply: { kind: 'error', message: decision.reason, exitCode: 2 } };
  }
  // The rule's roles, by alias: role=dev works, and a rule with one role needs no role= at all.
  const choices = access.roleChoices(pipelines.names[0] ?? '', deps.channelId);
  const onlyRole = Object.values(choices).length === 1 ? Object.values(choices)[0] : undefined;
  const defaultRole = decision.executionRoleArn ?? onlyRole ?? deps.defaultRole;
  const allowed: Partial<CommandDeps> = {
    allowedRoles: deps.defaultRole
      ? [...decision.allowedRoles, deps.defaultRole]
      : decision.allowedRoles,
    roleAliases: { ...deps.roleAliases, ...choices },
    ...(defaultRole ? { defaultRole } : {}),
  };
  if (decision.outcome === 'allow' || deps.approved)
    return { kind: 'go', deps: allowed, audited: !deps.approved };
  if ('dryRun' in command && command.dryRun) {
    const preview = await runChange(command, { ...deps, ...allowed });
    return { kind: 'reply', reply: preview };
  }
  // Check everything now, so approvers never see a request that cannot run.
  const check = await runChange({ ...command, dryRun: true } as Command, { ...deps, ...allowed });
  if (check.kind === 'error') return { kind: 'reply', reply: check };
  const payload: RequestPayload = { text: commandText(command), command, access: request };
  const submitted = await access.workflow.submit({
    payload: JSON.stringify(payload),
    action: command.name,
    pipelineNames: pipelines.names,
    ...(triggerNameOf(command) ? { triggerName: triggerNameOf(command) } : {}),
    requestedBy: userId,
    ...(deps.channelId ? { channelId: deps.channelId } : {}),
    requiredApprovals: decision.count,
    approverRoles: decision.from,
    expiresAfterMs: decision.expiresAfterMs,
  });
  return {
    kind: 'reply',
    reply: {
      kind: 'approval-requested',
      request: submitted,
      ...(decision.approvalChannel ? { approvalChannel: decision.approvalChannel } : {}),
    },
  };
}

/** The pipelines a change touches; for delete/pause/resume, read from the trigger itself. */
async function pipelinesOf(
  command: ChangeCommand,
  deps: CommandDeps,
): Promise<{ ok: true; names: string[] } | { ok: false }> {
  switch (command.name) {
    case 'create':
    case 'run':
      return { ok: true, names: [command.pipeline] };
    case 'on-event':
      return { ok: true, names: command.pipelines };
    case 'orphans': {
      const found = await deps.service?.orphans();
      if (!found?.ok) return { ok: false };
      return { ok: true, names: [...new Set(found.value.flatMap((o) => o.missingPipelines))] };
    }
    default: {
      const found = await deps.service?.describe(command.trigger);
      if (!found?.ok) return { ok: false };
      const d = found.value;
      return {
        ok: true,
        names:
          d.kind === 'schedule'
            ? [d.trigger.pipelineName]
            : d.trigger.targets.map((t) => t.pipelineName),
      };
    }
  }
}

function triggerNameOf(command: ChangeCommand): string | undefined {
  if (command.name === 'create' || command.name === 'on-event') return command.options.name;
  if (command.name === 'delete' || command.name === 'pause' || command.name === 'resume')
    return command.trigger;
  return undefined;
}

async function auditOutcome(command: Command, deps: CommandDeps, reply: Reply): Promise<void> {
  if (!isChange(command) || ('dryRun' in command && command.dryRun)) return;
  const names =
    command.name === 'create' || command.name === 'run'
      ? [command.pipeline]
      : command.name === 'on-event'
        ? command.pipelines
        : [];
  await audit(deps, {
    event: reply.kind === 'error' ? 'failed' : 'executed',
    command,
    pipelineNames: names.length ? names : pipelineNamesOfReply(reply),
    details: reply.kind === 'error' ? { reason: reply.message } : { summary: commandText(command) },
  });
}

function pipelineNamesOfReply(reply: Reply): string[] {
  if (reply.kind === 'changed') return reply.item.pipelineNames;
  if (reply.kind === 'orphans')
    return [...new Set(reply.orphans.flatMap((o) => o.missingPipelines))];
  return [];
}

async function audit(
  deps: CommandDeps,
  entry: { event: string; command: Command; pipelineNames: string[]; details?: unknown },
): Promise<void> {
  const store = deps.auditLog;
  if (!store) return;
  await store.append({
    at: deps.now(),
    actor: deps.userId ?? 'unknown',
    event: entry.event,
    action: entry.command.name,
    pipelineNames: entry.pipelineNames,
    ...(isChange(entry.command) && triggerNameOf(entry.command)
      ? { triggerName: triggerNameOf(entry.command) }
      : {}),
    ...(deps.requestId ? { requestId: deps.requestId } : {}),
    ...(entry.details !== undefined ? { details: JSON.stringify(entry.details) } : {}),
  });
}

/** subscribe and unsubscribe: which channels a pipeline's executions are posted in. */
async function subscriptionCommand(
  command: Command,
  deps: CommandDeps,
): Promise<Reply | undefined> {
  if (command.name !== 'subscribe' && command.name !== 'unsubscribe') return undefined;
  const subscriptions = deps.subscriptions;
  if (!subscriptions)
    return {
      kind: 'error',
      message: `${command.name} needs the store, which is not open here`,
      exitCode: 1,
    };
  const channel = command.channel ?? deps.channelId;
  if (!channel)
    return {
      kind: 'error',
      message: `${command.name}: name the channel, e.g. ${command.name} ${command.pipeline} #C0123ABCD`,
      exitCode: 2,
    };
  const pipeline = await deps.service?.pipeline(command.pipeline);
  if (pipeline && !pipeline.ok)
    return { kind: 'error', message: pipeline.error.message, exitCode: 2 };
  const denied = await subscriptionDenied(command, channel, deps);
  if (denied) {
    await audit(deps, {
      event: 'denied',
      command,
      pipelineNames: [command.pipeline],
      details: { reason: denied, channel },
    });
    return inputError(denied);
  }
  if (command.name === 'subscribe') {
    await subscriptions.put({
      pipeline: command.pipeline,
      channel,
      filter: command.failuresOnly ? 'failures' : 'all',
      ...(deps.userId ? { createdBy: deps.userId } : {}),
      createdAt: deps.now(),
    });
    await audit(deps, {
      event: 'executed',
      command,
      pipelineNames: [command.pipeline],
      details: { summary: commandText(command), channel },
    });
    return {
      kind: 'subscribed',
      pipeline: command.pipeline,
      channel,
      failuresOnly: command.failuresOnly,
    };
  }
  const existed = await subscriptions.delete(command.pipeline, channel);
  if (existed)
    await audit(deps, {
      event: 'executed',
      command,
      pipelineNames: [command.pipeline],
      details: { summary: commandText(command), channel },
    });
  return { kind: 'unsubscribed', pipeline: command.pipeline, channel, existed };
}

/**
 * Where a pipeline's executions are posted is its operators' decision: subscribing needs the
 * pipeline's `pause` permission (the rule for operating its triggers), so nobody can point
 * another team's pipeline at an arbitrary channel; unsubscribing needs it too, unless the
 * subscription is the person's own. Reading the pipeline is needed either way.
 */
/**
 * Publishing an event starts what its rules start: the publisher needs `run` on each of those
 * pipelines, without approval, as if they had typed `run` for each.
 */
async function putEventDenied(
  prepared: PreparedEvent,
  deps: CommandDeps,
): Promise<Reply | undefined> {
  const access = deps.access;
  if (!access || prepared.pipelines.length === 0) return undefined;
  for (const pipeline of prepared.pipelines) {
    const decision = await access.decide({
      userId: deps.userId ?? 'unknown',
      action: 'run',
      pipelineNames: [pipeline],
      ...(deps.channelId ? { channelId: deps.channelId } : {}),
    });
    const reason =
      decision.outcome === 'deny'
        ? decision.reason
        : decision.outcome === 'approval'
          ? `running ${pipeline} needs approval; ask for it with run ${pipeline}`
          : undefined;
    if (reason === undefined) continue;
    await deps.auditLog?.append({
      at: deps.now(),
      actor: deps.userId ?? 'unknown',
      event: 'denied',
      action: 'put-event',
      pipelineNames: prepared.pipelines,
      ...(deps.requestId ? { requestId: deps.requestId } : {}),
      details: JSON.stringify({ reason, eventId: prepared.id }),
    });
    return inputError(`this event would start ${pipeline} through a rule, and ${reason}`);
  }
  return undefined;
}

async function subscriptionDenied(
  command: Extract<Command, { name: 'subscribe' | 'unsubscribe' }>,
  channel: string,
  deps: CommandDeps,
): Promise<string | undefined> {
  const access = deps.access;
  if (!access) return undefined;
  const reader = await readerFor(deps);
  if (!reader.ok) return reader.reason;
  const unreadable = reader.denial([command.pipeline]);
  if (unreadable) return unreadable;
  const decision = await access.decide({
    userId: deps.userId ?? 'unknown',
    action: 'pause',
    pipelineNames: [command.pipeline],
    ...(deps.channelId ? { channelId: deps.channelId } : {}),
  });
  if (decision.outcome !== 'deny') return undefined;
  if (command.name === 'unsubscribe') {
    const existing = (await deps.subscriptions?.list(command.pipeline))?.find(
      (s) => s.channel === channel,
    );
    if (existing && existing.createdBy !== undefined && existing.createdBy === deps.userId)
      return undefined;
    const owner = existing?.createdBy ? ` (${existing.createdBy} set it up)` : '';
    return `only those who may pause or resume ${command.pipeline} can remove its alerts from another person's subscription${owner}: ${decision.reason}`;
  }
  return `subscribing a channel to ${command.pipeline} follows the rule for pausing it: ${decision.reason}`;
}

/** approvals, approve, reject, cancel, audit. */
async function accessCommand(command: Command, deps: CommandDeps): Promise<Reply | undefined> {
  if (!['approvals', 'approve', 'reject', 'cancel', 'audit'].includes(command.name))
    return undefined;
  const access = deps.access;
  if (!access)
    return {
      kind: 'error',
      message: `${command.name} needs the access policy, which is not loaded here`,
      exitCode: 1,
    };
  const userId = deps.userId ?? 'unknown';
  const decided = (
    result: Awaited<ReturnType<typeof access.workflow.reject>>,
    summary: string,
  ): Reply =>
    result.ok
      ? { kind: 'approval-decided', request: result.value, summary }
      : { kind: 'error', message: result.error.message, exitCode: 2 };
  switch (command.name) {
    case 'approvals': {
      const reader = await readerFor(deps);
      if (!reader.ok) return inputError(reader.reason);
      await access.workflow.sweep();
      const pending = await access.workflow.pending();
      return {
        kind: 'approvals',
        pending: pending.filter((entry) => reader.mayRead(entry.request.pipelineNames)),
      };
    }
    case 'approve': {
      const result = await access.workflow.approve(command.requestId, userId);
      if (!result.ok) return { kind: 'error', message: result.error.message, exitCode: 2 };
      const v = result.value;
      if (v.status === 'PENDING')
        return {
          kind: 'approval-recorded',
          request: v.request,
          approvals: v.approvals,
          required: v.required,
        };
      return { kind: 'approval-decided', request: v.request, summary: v.outcome.summary };
    }
    case 'reject': {
      const result = await access.workflow.reject(command.requestId, userId, command.reason);
      return decided(result, `rejected by ${userId}: ${command.reason ?? 'no reason given'}`);
    }
    case 'cancel':
      return decided(
        await access.workflow.cancel(command.requestId, userId),
        `withdrawn by ${userId}`,
      );
    case 'audit': {
      const log = deps.auditLog;
      if (!log)
        return { kind: 'error', message: 'the audit log is not available here', exitCode: 1 };
      const reader = await readerFor(deps);
      if (!reader.ok) return inputError(reader.reason);
      const denied = command.pipeline ? reader.denial([command.pipeline]) : undefined;
      if (denied) return inputError(denied);
      const limit = command.count ?? 20;
      return {
        kind: 'audit',
        entries: await visibleAuditEntries(log, reader, limit, command.pipeline),
        ...(command.pipeline ? { pipeline: command.pipeline } : {}),
      };
    }
    default:
      return undefined;
  }
}

/**
 * Runs a request that was approved: the stored command, as its requester, under the request
 * id (the client token of whatever it creates), without asking for approval again.
 */
export async function executeApproved(
  payload: RequestPayload,
  requestId: string,
  deps: CommandDeps,
): Promise<ExecutionOutcome> {
  const reply = await runCommand(payload.command as Command, {
    ...deps,
    userId: payload.access.userId,
    ...(payload.access.channelId ? { channelId: payload.access.channelId } : {}),
    requestId,
    approved: true,
  });
  if (reply.kind === 'error') return { ok: false, summary: reply.message };
  return { ok: true, summary: summarize(reply), details: reply };
}

function summarize(reply: Reply): string {
  switch (reply.kind) {
    case 'schedule-created':
      return `created schedule ${reply.schedule.name}`;
    case 'rule-created':
      return `created rule ${reply.rule.name}`;
    case 'changed':
      return `${reply.item.name} ${reply.action}`;
    case 'started':
      return `started ${reply.pipeline}: ${reply.executionArn}`;
    case 'orphans':
      return `removed ${reply.orphans.length} orphaned trigger(s)`;
    default:
      return 'done';
  }
}

const OPEN_READER: Extract<ReadFilter, { ok: true }> = {
  ok: true,
  mayRead: () => true,
  denial: () => undefined,
};

/** The one read filter: what this person may see, from the policy (all, without a policy). */
async function readerFor(deps: CommandDeps): Promise<ReadFilter> {
  if (!deps.access) return OPEN_READER;
  return deps.access.reader(deps.userId ?? 'unknown', deps.channelId);
}

const readCommands = new Set<Command['name']>([
  'list',
  'describe',
  'history',
  'pipelines',
  'orphans',
  'approvals',
  'audit',
]);

/** Commands that show what the store or AWS hold; `orphans clean` is a change (the gate's). */
function isRead(command: Command): boolean {
  return readCommands.has(command.name) && !(command.name === 'orphans' && command.clean);
}
