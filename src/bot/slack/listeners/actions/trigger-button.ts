import type { Command } from '../../../commands/grammar.js';
import { ids } from '../../../ids.js';
import { readListPageValue } from '../../../views/list-page-value.js';
import { replyBlocks } from '../../../views/reply-blocks.js';
import type { SlackContext } from '../../context.js';
import {
  actionValue,
  afterPendingAcks,
  answerPrivately,
  channelOf,
  forReader,
  postToUser,
} from '../../support.js';
import type { ActionArgs } from '../types.js';

/** The buttons on replies and the Home tab that stand for one command each. */
export const commandButtons: Array<[actionId: string, toCommand: (value: string) => Command]> = [
  [ids.actions.pause, (trigger) => ({ name: 'pause', trigger, dryRun: false })],
  [ids.actions.resume, (trigger) => ({ name: 'resume', trigger, dryRun: false })],
  // Behind its confirm dialog: the click is the yes.
  [ids.actions.delete, (trigger) => ({ name: 'delete', trigger, dryRun: false, confirmed: true })],
  [ids.actions.describe, (trigger) => ({ name: 'describe', trigger })],
  [ids.actions.adopt, (trigger) => ({ name: 'adopt', trigger, dryRun: false })],
  [
    ids.actions.runPipeline,
    (pipeline) => ({ name: 'run', pipeline, parameters: [], dryRun: false }),
  ],
  [ids.actions.listNextPage, (value) => ({ name: 'list', ...readListPageValue(value) })],
  [
    ids.actions.cleanUpOrphans,
    () => ({ name: 'orphans', clean: true, only: [], deleteRules: [], dryRun: false }),
  ],
];

/**
 * A button runs the command it stands for, as the person who clicked, from the channel it was
 * clicked in: the button's value names a thing, never a permission.
 */
export function commandButton(ctx: SlackContext, toCommand: (value: string) => Command) {
  return async ({ ack, body, action, respond, client }: ActionArgs) => {
    await ack();
    await afterPendingAcks();
    const reply = await ctx.run(
      client,
      toCommand(actionValue(action)),
      body.user.id,
      channelOf(body),
    );
    const tz = await ctx.userTimeZone(client, body.user.id);
    const rendered = replyBlocks(reply, forReader(tz));
    // Home has no response_url: the answer goes to the clicker's DM.
    if (body.response_url) await answerPrivately(respond, rendered);
    else await postToUser(client, body.user.id, rendered);
  };
}
