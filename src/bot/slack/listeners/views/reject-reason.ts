import { ids } from '../../../ids.js';
import type { SlackContext } from '../../context.js';
import { approvalMessageKey, parseMetadata } from '../../support.js';
import type { ViewArgs } from '../types.js';

/**
 * The reject-reason modal submitted: it runs the reject command, as a typed `reject` would;
 * a refusal goes back beside the reason field.
 */
export function rejectReason(ctx: SlackContext) {
  return async ({ ack, body, view, client }: ViewArgs) => {
    const meta = parseMetadata(view.private_metadata);
    const text = (key: string) => (typeof meta[key] === 'string' ? (meta[key] as string) : '');
    const requestId = text('requestId') || text('id');
    const reason =
      view.state.values[ids.rejectReason.block]?.[ids.rejectReason.action]?.value ?? undefined;
    const reply = await ctx.execute(
      { name: 'reject', requestId, ...(reason?.trim() ? { reason: reason.trim() } : {}) },
      body.user.id,
    );
    if (reply.kind !== 'approval-decided') {
      await ack({
        response_action: 'errors',
        errors: {
          [ids.rejectReason.block]: reply.kind === 'error' ? reply.message : 'not rejected',
        },
      });
      return;
    }
    await ack();
    if (text('channel') && text('ts'))
      await ctx.runtime.store.messages.put(approvalMessageKey(reply.request.id), {
        channel: text('channel'),
        ts: text('ts'),
      });
    await ctx.showDecision(client, reply.request, reply.decision ?? reply.summary, body.user.id);
  };
}
