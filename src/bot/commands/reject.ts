import { accessOf, defineCommand } from './command.js';
import { mistake } from './parsing.js';

export type RejectCommand = { name: 'reject'; requestId: string; reason?: string };

export const reject = defineCommand<RejectCommand>({
  name: 'reject',
  usage: {
    syntax: 'reject <request-id> [reason]',
    summary: 'turn a request down, saying why',
    example: 'reject req-3f2a… not during the freeze',
  },
  dryRun: false,
  needsService: true,
  parse({ args }) {
    // Everything after the id is the reason, spaces and all.
    const [requestId, ...reason] = args;
    if (!requestId) return mistake('reject needs a request id, then the reason');
    return {
      ok: true,
      command: {
        name: 'reject',
        requestId,
        ...(reason.length ? { reason: reason.join(' ') } : {}),
      },
    };
  },
  async run(command, deps) {
    const found = accessOf(deps, 'reject');
    if (!found.ok) return found.reply;
    const userId = deps.userId ?? 'unknown';
    const id = await found.access.workflow.resolveId(command.requestId);
    if (!id.ok) return { kind: 'error', message: id.message, exitCode: 2 };
    const result = await found.access.workflow.reject(id.id, userId, command.reason);
    return result.ok
      ? {
          kind: 'approval-decided',
          request: result.value,
          summary: `rejected by ${userId}: ${command.reason ?? 'no reason given'}`,
          decision: { what: 'rejected', by: userId, detail: command.reason ?? 'no reason given' },
        }
      : { kind: 'error', message: result.error.message, exitCode: 2 };
  },
});
