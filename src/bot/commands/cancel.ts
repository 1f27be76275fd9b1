import { accessOf, defineCommand } from './command.js';
import { mistake } from './parsing.js';

export type CancelCommand = { name: 'cancel'; requestId: string };

export const cancel = defineCommand<CancelCommand>({
  name: 'cancel',
  usage: {
    syntax: 'cancel <request-id>',
    summary: 'withdraw a request you made',
    example: 'cancel req-3f2a…',
  },
  dryRun: false,
  needsService: true,
  parse({ positional, options }) {
    const [requestId, ...extra] = positional;
    if (!requestId || extra.length > 0 || options.length > 0)
      return mistake('cancel needs one request id');
    return { ok: true, command: { name: 'cancel', requestId } };
  },
  async run(command, deps) {
    const found = accessOf(deps, 'cancel');
    if (!found.ok) return found.reply;
    const userId = deps.userId ?? 'unknown';
    const id = await found.access.workflow.resolveId(command.requestId);
    if (!id.ok) return { kind: 'error', message: id.message, exitCode: 2 };
    const result = await found.access.workflow.cancel(id.id, userId);
    return result.ok
      ? {
          kind: 'approval-decided',
          request: result.value,
          summary: `withdrawn by ${userId}`,
          decision: { what: 'withdrawn', by: userId },
        }
      : { kind: 'error', message: result.error.message, exitCode: 2 };
  },
});
