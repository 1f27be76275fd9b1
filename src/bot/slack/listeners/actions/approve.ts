import { parseDecisionValue } from '../../../views/approval-message.js';
import { replyBlocks } from '../../../views/reply-blocks.js';
import type { SlackContext } from '../../context.js';
import {
  actionValue,
  answerPrivately,
  approvalMessageKey,
  channelOf,
  messageOf,
} from '../../support.js';
import type { ActionArgs } from '../types.js';

/**
 * Approve: the value is `<request id>|<content hash>`, so an approval counts only for the
 * content the approver saw; a value without the hash is refused, not taken as "any". The click
 * runs the approve command, as a typed `approve` would, with the hash and the recorded click.
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
    // The clicked message is the one to update, even if it was posted before locations were kept.
    const clicked = messageOf(body);
    if (clicked) await runtime.store.messages.put(approvalMessageKey(value.requestId), clicked);
    const reply = await ctx.run(
      client,
      {
        name: 'approve',
        requestId: value.requestId,
        contentHash: value.contentHash,
        ...(clickId ? { clickId } : {}),
      },
      body.user.id,
      channelOf(body),
    );
    // A decision updates the message and tells the requester; anything else is for the clicker.
    if (reply.kind !== 'approval-decided') await answerPrivately(respond, replyBlocks(reply));
  };
}
