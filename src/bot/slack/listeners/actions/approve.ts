import { parseDecisionValue } from '../../../views/approval-message.js';
import { esc } from '../../../views/kit.js';
import type { SlackContext } from '../../context.js';
import { actionValue, answerPrivately, approvalMessageKey, messageOf } from '../../support.js';
import type { ActionArgs } from '../types.js';

/**
 * Approve: the value is `<request id>|<content hash>`, so an approval counts only for the
 * content the approver saw; a value without the hash is refused, not taken as "any".
 */
export function approve(ctx: SlackContext) {
  const { runtime, log } = ctx;
  return async ({ ack, body, action, respond, client }: ActionArgs) => {
    const value = parseDecisionValue(actionValue(action));
    // Recorded before the ack: a click Slack was told we got survives a crash right after it.
    const clickId = value
      ? await runtime.access.workflow.recordClick({
          requestId: value.requestId,
          userId: body.user.id,
          contentHash: value.contentHash,
          ...(body.team?.id ? { teamId: body.team.id } : {}),
        })
      : undefined;
    await ack();
    if (!value) {
      log.warn({ user: body.user.id }, 'approve click without a content hash refused');
      await answerPrivately(respond, {
        text: 'this Approve button is not one the bot posted; approve from the request message',
      });
      return;
    }
    const result = await runtime.access.workflow.approve(
      value.requestId,
      body.user.id,
      value.contentHash,
      clickId ? { clickId } : {},
    );
    if (!result.ok) {
      await answerPrivately(respond, { text: esc(result.error.message) });
      return;
    }
    const decided = result.value;
    if (decided.status === 'PENDING') {
      await answerPrivately(respond, {
        text: `approval recorded: ${decided.approvals} of ${decided.required}`,
      });
      return;
    }
    // The clicked message is the one to update, even if it was posted before locations were kept.
    const clicked = messageOf(body);
    if (clicked) await runtime.store.messages.put(approvalMessageKey(decided.request.id), clicked);
    await ctx.showDecision(
      client,
      decided.request,
      { what: 'approved', by: body.user.id, detail: decided.outcome.summary },
      body.user.id,
    );
  };
}
