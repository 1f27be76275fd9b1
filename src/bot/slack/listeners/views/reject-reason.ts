import { ids } from '../../../ids.js';
import type { Decision } from '../../../views/approval-message.js';
import type { SlackContext } from '../../context.js';
import { approvalMessageKey, parseMetadata } from '../../support.js';
import type { ViewArgs } from '../types.js';

/** The reject-reason modal submitted: the request is rejected with that reason, or why not. */
export function rejectReason(ctx: SlackContext) {
  return async ({ ack, body, view, client }: ViewArgs) => {
    const meta = parseMetadata(view.private_metadata);
    const text = (key: string) => (typeof meta[key] === 'string' ? (meta[key] as string) : '');
    const requestId = text('requestId') || text('id');
    const reason =
      view.state.values[ids.rejectReason.block]?.[ids.rejectReason.action]?.value ?? undefined;
    const result = await ctx.runtime.access.workflow.reject(requestId, body.user.id, reason);
    if (!result.ok) {
      await ack({
        response_action: 'errors',
        errors: { [ids.rejectReason.block]: result.error.message },
      });
      return;
    }
    await ack();
    const decision: Decision = {
      what: 'rejected',
      by: body.user.id,
      detail: result.value.reason ?? 'no reason given',
    };
    if (text('channel') && text('ts'))
      await ctx.runtime.store.messages.put(approvalMessageKey(result.value.id), {
        channel: text('channel'),
        ts: text('ts'),
      });
    await ctx.showDecision(client, result.value, decision, body.user.id);
  };
}
