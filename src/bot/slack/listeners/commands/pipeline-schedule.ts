import { parseCommand } from '../../../commands/grammar.js';
import type { Reply } from '../../../commands/replies.js';
import { replyBlocks } from '../../../views/reply-blocks.js';
import type { SlackContext } from '../../context.js';
import type { CreateModalFlow } from '../../create-modal-flow.js';
import { afterSlackAcks } from '../../request-guard.js';
import { forReader } from '../../support.js';
import type { CommandArgs } from '../types.js';

/**
 * /pipeline-schedule: the same grammar as the terminal and the CLI. Slack allows three
 * seconds, so it acknowledges at once and answers through response_url; `create` alone opens
 * the modal, whose trigger_id works only now.
 */
export function pipelineScheduleCommand(ctx: SlackContext, modal: CreateModalFlow) {
  return async ({ command, ack, respond, client }: CommandArgs) => {
    await ack();
    // Only a bare `create` cannot wait (its trigger_id lasts three seconds): anything else is
    // parsed with the rest of the work, after the burst it came in.
    const early = /create/i.test(command.text) ? parseCommand(command.text) : undefined;
    if (early?.ok && early.command.name === 'create-interactive') {
      await openModal(modal, client, command);
      return;
    }
    // Not awaited: Bolt lets go of the request (and all it holds for it) once acknowledged,
    // instead of keeping it alive, through every collection, until the answer is out.
    void ctx.afterAck
      .run(async () => {
        // The command's work waits for the burst it came in to be acknowledged.
        await afterSlackAcks();
        const parsed = early ?? parseCommand(command.text);
        if (parsed.ok && parsed.command.name === 'create-interactive') {
          await openModal(modal, client, command);
          return;
        }
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
          ...replyBlocks(reply, forReader(tz)),
        });
      })
      .catch((error: unknown) => ctx.log.error({ err: error }, 'slack listener failed'));
  };
}

function openModal(
  modal: CreateModalFlow,
  client: CommandArgs['client'],
  command: CommandArgs['command'],
): Promise<void> {
  return modal.open(client, command.trigger_id, command.user_id, command.channel_id);
}
