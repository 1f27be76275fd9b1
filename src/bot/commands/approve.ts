import { accessOf, defineCommand } from './command.js';
import { mistake } from './parsing.js';

export type ApproveCommand = {
  name: 'approve';
  requestId: string;
  /** The content the approver saw (an Approve button carries it; a typed id does not). */
  contentHash?: string;
  /** The click recorded before Slack was answered, marked processed with this decision. */
  clickId?: string;
};

export const approve = defineCommand<ApproveCommand>({
  name: 'approve',
  usage: {
    syntax: 'approve <request-id>',
    summary: 'approve a request someone else made',
    example: 'approve req-3f2a…',
  },
  dryRun: false,
  needsService: true,
  parse({ positional, options }) {
    const [requestId, ...extra] = positional;
    if (!requestId || extra.length > 0 || options.length > 0)
      return mistake('approve needs one request id');
    return { ok: true, command: { name: 'approve', requestId } };
  },
  async run(command, deps) {
    const found = accessOf(deps, 'approve');
    if (!found.ok) return found.reply;
    const userId = deps.userId ?? 'unknown';
    const id = await found.access.workflow.resolveId(command.requestId);
    if (!id.ok) return { kind: 'error', message: id.message, exitCode: 2 };
    const result = await found.access.workflow.approve(
      id.id,
      userId,
      command.contentHash,
      command.clickId ? { clickId: command.clickId } : {},
    );
    if (!result.ok) return { kind: 'error', message: result.error.message, exitCode: 2 };
    const v = result.value;
    if (v.status === 'PENDING')
      return {
        kind: 'approval-recorded',
        request: v.request,
        approvals: v.approvals,
        required: v.required,
      };
    return {
      kind: 'approval-decided',
      request: v.request,
      summary: v.outcome.summary,
      decision: { what: 'approved', by: userId, detail: v.outcome.summary },
    };
  },
});
