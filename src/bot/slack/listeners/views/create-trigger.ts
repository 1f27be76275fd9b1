import { replyBlocks } from '../../../views/reply-blocks.js';
import type { SlackContext } from '../../context.js';
import type { CreateModalFlow } from '../../create-modal-flow.js';
import { forReader, postToUser } from '../../support.js';
import type { ViewArgs } from '../types.js';

/**
 * The create modal submitted: mistakes go back beside their fields through the ack; a good
 * submission runs as the typed command would, and the answer reaches the person's DM.
 */
export function createTriggerSubmitted(ctx: SlackContext, modal: CreateModalFlow) {
  return async ({ ack, body, view, client }: ViewArgs) => {
    const checked = await modal.submit(view, body.user.id);
    if (!checked.ok) {
      await ack({ response_action: 'errors', errors: checked.errors });
      return;
    }
    await ack();
    const reply = await ctx.run(client, checked.command, body.user.id, checked.channelId);
    const tz = await ctx.userTimeZone(client, body.user.id);
    await postToUser(client, body.user.id, replyBlocks(reply, forReader(tz)));
  };
}
