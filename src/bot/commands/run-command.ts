import { randomUUID } from 'node:crypto';
import type { AccessControl, AccessRequest, RequestPayload } from '../../auth/access.js';
import type { ExecutionOutcome } from '../../auth/approvals.js';
import { testEventPattern } from '../../scheduling/events/event-pattern.js';
import { previewSchedule } from '../../scheduling/expression/index.js';
import type { ParameterValue } from '../../scheduling/pipeline.js';
import type {
  RequestContext,
  SchedulingService,
  ServiceError,
} from '../../scheduling/scheduling-service.js';
import { DEFAULT_RETRY_POLICY } from '../../scheduling/triggers.js';
import type { Store } from '../../store/store.js';
import { type Command, commandText } from './grammar.js';
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
      // Reading is open to any role holder, unless a policy rule restricts a pipeline.
      const visible = [];
      for (const item of result.value.items) {
        if (await mayReadAll(deps, item.pipelineNames)) visible.push(item);
      }
      result.value.items = visible;
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
      const names =
        result.value.kind === 'schedule'
          ? [result.value.trigger.pipelineName]
          : result.value.trigger.targets.map((t) => t.pipelineName);
      const denied = await readDenied(deps, names);
      if (denied) return denied;
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
      const denied = await readDenied(deps, [command.pipeline]);
      if (denied) return denied;
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
  const denied = await readDenied(deps, [command.pipeline]);
  if (denied) return denied;
  if (command.name === 'subscribe') {
    await subscriptions.put({
      pipeline: command.pipeline,
      channel,
      filter: command.failuresOnly ? 'failures' : 'all',
      ...(deps.userId ? { createdBy: deps.userId } : {}),
      createdAt: deps.now(),
    });
    return {
      kind: 'subscribed',
      pipeline: command.pipeline,
      channel,
      failuresOnly: command.failuresOnly,
    };
  }
  const existed = await subscriptions.delete(command.pipeline, channel);
  return { kind: 'unsubscribed', pipeline: command.pipeline, channel, existed };
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
    case 'approvals':
      await access.workflow.sweep();
      return { kind: 'approvals', pending: await access.workflow.pending() };
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
      return {
        kind: 'audit',
        entries: await log.list({
          limit: command.count ?? 20,
          ...(command.pipeline ? { pipeline: command.pipeline } : {}),
        }),
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

async function mayReadAll(deps: CommandDeps, pipelineNames: string[]): Promise<boolean> {
  if (!deps.access) return true;
  for (const name of pipelineNames) {
    if (
      (await deps.access.mayRead(deps.userId ?? 'unknown', name, deps.channelId)).outcome === 'deny'
    )
      return false;
  }
  return true;
}

async function readDenied(deps: CommandDeps, pipelineNames: string[]): Promise<Reply | undefined> {
  if (!deps.access) return undefined;
  for (const name of pipelineNames) {
    const decision = await deps.access.mayRead(deps.userId ?? 'unknown', name, deps.channelId);
    if (decision.outcome === 'deny')
      return { kind: 'error', message: decision.reason, exitCode: 2 };
  }
  return undefined;
}
