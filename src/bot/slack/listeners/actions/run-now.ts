import type { Reply } from '../../../commands/replies.js';
import { replyBlocks } from '../../../views/reply-blocks.js';
import type { SlackContext } from '../../context.js';
import { actionValue, answerPrivately, channelOf } from '../../support.js';
import type { ActionArgs } from '../types.js';

/** Run now, on a schedule: its pipeline with the schedule's own parameters, as a typed `run`. */
export function runNow(ctx: SlackContext) {
  return async ({ ack, body, action, respond, client }: ActionArgs) => {
    await ack();
    const trigger = actionValue(action);
    const described = await ctx.runtime.service.describe(trigger);
    const reply: Reply =
      described.ok && described.value.kind === 'schedule'
        ? await ctx.run(
            client,
            {
              name: 'run',
              pipeline: described.value.trigger.pipelineName,
              parameters: described.value.trigger.parameters,
              dryRun: false,
            },
            body.user.id,
            channelOf(body),
          )
        : {
            kind: 'error',
            message: described.ok
              ? `${trigger} is a rule: it runs when its event arrives`
              : described.error.message,
            exitCode: 2,
          };
    await answerPrivately(respond, replyBlocks(reply));
  };
}
