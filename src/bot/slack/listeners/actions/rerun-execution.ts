import { pipelineNameFromArn } from '../../../../notifications/execution-state.js';
import type { Reply } from '../../../commands/replies.js';
import { replyBlocks } from '../../../views/reply-blocks.js';
import type { SlackContext } from '../../context.js';
import { actionValue, answerPrivately, channelOf } from '../../support.js';
import type { ActionArgs } from '../types.js';

/** Run again, from an execution message: the same pipeline with that execution's parameters. */
export function rerunExecution(ctx: SlackContext) {
  return async ({ ack, body, action, respond, client }: ActionArgs) => {
    await ack();
    const arn = actionValue(action);
    let reply: Reply;
    try {
      const execution = await ctx.runtime.backend.pipelines.describeExecution(arn);
      reply = await ctx.run(
        client,
        {
          name: 'run',
          pipeline: pipelineNameFromArn(execution.pipelineArn),
          parameters: execution.parameters,
          dryRun: false,
        },
        body.user.id,
        channelOf(body),
      );
    } catch (error) {
      // Say what went wrong: "not known" only when AWS says so, not for every failure.
      const name = (error as { name?: string; code?: string }).name ?? '';
      const missing = /NotFound|NOT_FOUND/.test(
        `${name} ${(error as { code?: string }).code ?? ''}`,
      );
      if (!missing)
        ctx.log.error({ err: error, executionArn: arn }, 'describing an execution failed');
      reply = {
        kind: 'error',
        message: missing
          ? `execution ${arn} is not known any more`
          : `could not read execution ${arn}: ${error instanceof Error ? error.message : String(error)}`,
        exitCode: missing ? 2 : 1,
      };
    }
    await answerPrivately(respond, replyBlocks(reply));
  };
}
