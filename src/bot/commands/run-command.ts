import type { AccessRequest, RequestPayload } from '../../auth/access.js';
import type { ExecutionOutcome } from '../../auth/approvals.js';
import { audit, type ChangeSpec, type CommandDefinition, type CommandDeps } from './command.js';
import { type Command, definitionOf } from './registry.js';
import type { Reply } from './replies.js';

export type { CommandDeps, LocalEventsPort, PreparedEvent } from './command.js';

/**
 * Runs a command as `deps.userId`: reads run and filter what they show; a change first passes
 * the policy gate, the one path every front end takes (slash command, buttons, modal, terminal,
 * CLI, and an approved request run later).
 */
export async function runCommand(command: Command, deps: CommandDeps): Promise<Reply> {
  const definition = definitionOf(command);
  const change = definition.change;
  const action = change?.action(command);
  if (!change || action === undefined) return definition.run(command, deps);
  const gate = await gateChange(command, definition, change, action, deps);
  if (gate.kind === 'reply') return gate.reply;
  const result = await definition.run(command, { ...deps, ...gate.deps });
  if (gate.audited) await auditOutcome(command, definition, deps, result);
  return result;
}

type Gate =
  | { kind: 'reply'; reply: Reply }
  | { kind: 'go'; deps: Partial<CommandDeps>; audited: boolean };

/**
 * Before a change runs: decide it against the policy. Denied → the reason (audited). Needs
 * approval → a stored request (or, on a dry run, the requests it would send). Allowed → it
 * runs with the execution roles the rule allows.
 */
async function gateChange(
  command: Command,
  definition: CommandDefinition<Command>,
  change: ChangeSpec<Command>,
  action: AccessRequest['action'],
  deps: CommandDeps,
): Promise<Gate> {
  const access = deps.access;
  if (!access) return { kind: 'go', deps: {}, audited: false };
  const userId = deps.userId ?? 'unknown';
  const names = await change.pipelines(command, deps);
  // Unknown pipelines: the command itself says "not found"; none: nothing to change.
  if (names === undefined || names.length === 0) return { kind: 'go', deps: {}, audited: false };
  const role = change.role?.(command);
  const triggerName = change.trigger?.(command);
  const request: AccessRequest = {
    userId,
    action,
    pipelineNames: names,
    ...(deps.channelId ? { channelId: deps.channelId } : {}),
    ...(role ? { executionRole: role } : {}),
  };
  const decision = await access.decide(request);
  if (decision.outcome === 'deny') {
    await audit(deps, {
      event: 'denied',
      action: command.name,
      pipelineNames: names,
      ...(triggerName ? { triggerName } : {}),
      details: { reason: decision.reason },
    });
    return { kind: 'reply', reply: { kind: 'error', message: decision.reason, exitCode: 2 } };
  }
  // The rule's roles, by alias: role=dev works, and a rule with one role needs no role= at all.
  const choices = access.roleChoices(names[0] ?? '', deps.channelId);
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
  if (isDryRun(command))
    return { kind: 'reply', reply: await definition.run(command, { ...deps, ...allowed }) };
  // Check everything now, so approvers never see a request that cannot run.
  const check = await definition.run({ ...command, dryRun: true } as Command, {
    ...deps,
    ...allowed,
  });
  if (check.kind === 'error') return { kind: 'reply', reply: check };
  const payload: RequestPayload = {
    text: definition.text?.(command) ?? command.name,
    command,
    access: request,
  };
  const submitted = await access.workflow.submit({
    payload: JSON.stringify(payload),
    action: command.name,
    pipelineNames: names,
    ...(triggerName ? { triggerName } : {}),
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

function isDryRun(command: Command): boolean {
  return 'dryRun' in command && command.dryRun;
}

/** What a change did, in the audit log: executed with its text, or failed with the reason. */
async function auditOutcome(
  command: Command,
  definition: CommandDefinition<Command>,
  deps: CommandDeps,
  reply: Reply,
): Promise<void> {
  if (isDryRun(command)) return;
  // Pipelines typed in the command; for a trigger named by the command, those its reply names.
  const typed =
    command.name === 'create' || command.name === 'run'
      ? [command.pipeline]
      : command.name === 'on-event'
        ? command.pipelines
        : [];
  const triggerName = definition.change?.trigger?.(command);
  await audit(deps, {
    event: reply.kind === 'error' ? 'failed' : 'executed',
    action: command.name,
    pipelineNames: typed.length ? typed : pipelineNamesOfReply(reply),
    ...(triggerName ? { triggerName } : {}),
    details:
      reply.kind === 'error'
        ? { reason: reply.message }
        : { summary: definition.text?.(command) ?? command.name },
  });
}

function pipelineNamesOfReply(reply: Reply): string[] {
  if (reply.kind === 'changed') return reply.item.pipelineNames;
  if (reply.kind === 'orphans')
    return [...new Set(reply.orphans.flatMap((o) => o.missingPipelines))];
  return [];
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
