import type { RequestPayload } from '../../auth/access.js';
import type { ExecutionOutcome } from '../../auth/approvals.js';
import { passGate } from '../../auth/gate.js';
import type { CommandDeps } from './command.js';
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
  // Asked after the policy had its say, so a refusal is not preceded by "are you sure?".
  const confirmFirst = async (): Promise<Reply | undefined> =>
    change?.confirm && !deps.approved ? change.confirm(command, deps) : undefined;
  const action = change?.action(command);
  if (!change || action === undefined || !deps.access)
    return (await confirmFirst()) ?? definition.run(command, deps);
  const names = await change.pipelines(command, deps);
  if (names !== undefined && !Array.isArray(names)) return names.refused;
  // Unknown pipelines: the command itself says "not found"; none: nothing to change.
  if (names === undefined || names.length === 0) return definition.run(command, deps);
  const role = await change.role?.(command, deps);
  const triggerName = change.trigger?.(command);
  const madeElsewhere = await change.madeElsewhere?.(command, deps);
  const alsoActions = change.alsoActions?.(command) ?? [];
  const gate = await passGate({
    access: deps.access,
    ...(deps.auditLog ? { auditLog: deps.auditLog } : {}),
    now: deps.now,
    request: {
      userId: deps.userId ?? 'unknown',
      action,
      pipelineNames: names,
      ...(deps.channelId ? { channelId: deps.channelId } : {}),
      ...(role ? { executionRole: role } : {}),
      ...(madeElsewhere ? { madeElsewhere } : {}),
      ...(alsoActions.length > 0 ? { alsoActions } : {}),
    },
    name: command.name,
    ...(triggerName ? { triggerName } : {}),
    ...(deps.requestId ? { requestId: deps.requestId } : {}),
    ...(deps.approved ? { approved: true } : {}),
    roleAliases: deps.roleAliases,
    ...(deps.defaultRole ? { defaultRole: deps.defaultRole } : {}),
  });
  if (gate.kind === 'denied') return { kind: 'error', message: gate.reason, exitCode: 2 };
  const asked = await confirmFirst();
  if (asked) return asked;
  const allowed = { ...deps, ...gate.roles };
  const text = definition.text?.(command) ?? command.name;
  if (gate.kind === 'allowed') {
    const result = await definition.run(command, allowed);
    if (!isDryRun(command))
      await gate.recordOutcome(
        result.kind === 'error'
          ? { ok: false, reason: result.message, pipelineNames: pipelinesDone(command, result) }
          : { ok: true, summary: text, pipelineNames: pipelinesDone(command, result) },
      );
    return result;
  }
  if (isDryRun(command)) return definition.run(command, allowed);
  // Check everything now, so approvers never see a request that cannot run.
  const check = await definition.run({ ...command, dryRun: true } as Command, allowed);
  if (check.kind === 'error') return check;
  // An update's diff is what approvers decide on: stored with the request, and shown from it.
  const changes = check.kind === 'trigger-updated' ? check.update.changes : undefined;
  const submitted = await gate.submit({ text, command, ...(changes ? { changes } : {}) });
  return {
    kind: 'approval-requested',
    ...submitted,
    ...(check.kind === 'trigger-updated'
      ? { change: { changes: check.update.changes, ...(check.runs ? { runs: check.runs } : {}) } }
      : {}),
  };
}

function isDryRun(command: Command): boolean {
  return 'dryRun' in command && command.dryRun;
}

/** The pipelines a change was about: those typed, or, for a trigger by name, those it named. */
function pipelinesDone(command: Command, reply: Reply): string[] {
  if (command.name === 'create' || command.name === 'run') return [command.pipeline];
  if (command.name === 'on-event') return command.pipelines;
  if (reply.kind === 'changed') return reply.item.pipelineNames;
  if (reply.kind === 'trigger-updated')
    return reply.update.kind === 'schedule'
      ? [reply.update.after.pipelineName]
      : reply.update.after.targets.map((t) => t.pipelineName);
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
    case 'trigger-updated':
      return `updated ${reply.update.ref}: ${reply.update.changes.map((c) => c.field).join(', ')}`;
    case 'started':
      return `started ${reply.pipeline}: ${reply.executionArn}`;
    case 'orphans':
      return `removed ${reply.orphans.length} orphaned trigger(s)`;
    default:
      return 'done';
  }
}
