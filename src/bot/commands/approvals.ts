import { accessOf, defineCommand, inputError, readerFor } from './command.js';
import { mistake } from './parsing.js';

export type ApprovalsCommand = { name: 'approvals' };

export const approvals = defineCommand<ApprovalsCommand>({
  name: 'approvals',
  usage: { syntax: 'approvals', summary: 'requests waiting for a decision', example: 'approvals' },
  dryRun: false,
  needsService: true,
  parse: ({ args }) =>
    args.length > 0
      ? mistake('approvals takes nothing')
      : { ok: true, command: { name: 'approvals' } },
  async run(_command, deps) {
    const found = accessOf(deps, 'approvals');
    if (!found.ok) return found.reply;
    const reader = await readerFor(deps);
    if (!reader.ok) return inputError(reader.reason);
    await found.access.workflow.sweep();
    const pending = await found.access.workflow.pending();
    return {
      kind: 'approvals',
      pending: pending.filter((entry) => reader.mayRead(entry.request.pipelineNames)),
    };
  },
});
