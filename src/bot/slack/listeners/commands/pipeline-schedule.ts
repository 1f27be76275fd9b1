import { parseCommand } from '../../../commands/grammar.js';
import type { Reply } from '../../../commands/replies.js';
import { replyBlocks } from '../../../views/reply-blocks.js';
import type { SlackContext } from '../../context.js';
import type { CreateModalFlow } from '../../create-modal-flow.js';
import type { CommandArgs } from '../types.js';

/**
 * /pipeline-schedule: the same grammar as the terminal and the CLI. Slack allows three
 * seconds, so it acknowledges at once and answers through response_url; `create` alone opens
 * the modal, whose trigger_id works only now.
 */
export function pipelineScheduleCommand(ctx: SlackContext, modal: CreateModalFlow) {
  return async ({ command, ack, respond, client }: CommandArgs) => {
    const parsed = parseCommand(command.text);
    await ack();
    if (parsed.ok && parsed.command.name === 'create-interactive') {
      await modal.open(client, command.trigger_id, command.user_id, command.channel_id);
      return;
    }
    await ctx.afterAck.run(async () => {
      const reply: Reply = parsed.ok
        ? await ctx.run(client, parsed.command, command.user_id, command.channel_id)
        : {
            kind: 'error',
            message: parsed.message,
            ...(parsed.usage ? { usage: parsed.usage } : {}),
            exitCode: 2,
          };
      const tz = await ctx.userTimeZone(client, command.user_id);
      await respond({
        response_type: 'ephemeral',
        ...replyBlocks(reply, tz ? { userTimeZone: tz } : {}),
      });
    });
  };
}
