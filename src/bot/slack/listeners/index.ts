import type { App, BlockAction, ViewSubmitAction } from '@slack/bolt';
import { ids } from '../../ids.js';
import type { SlackContext } from '../context.js';
import { CreateModalFlow } from '../create-modal-flow.js';
import { approve } from './actions/approve.js';
import { createModalChanged } from './actions/create-modal-changed.js';
import { editTrigger } from './actions/edit-trigger.js';
import { openCreate } from './actions/open-create.js';
import { openExecution } from './actions/open-execution.js';
import { reject } from './actions/reject.js';
import { rerunExecution } from './actions/rerun-execution.js';
import { runNow } from './actions/run-now.js';
import { commandButton, commandButtons } from './actions/trigger-button.js';
import { pipelineScheduleCommand } from './commands/pipeline-schedule.js';
import { appHomeOpened } from './events/app-home-opened.js';
import { pipelineOptions } from './options/pipelines.js';
import { timeZoneOptions } from './options/time-zones.js';
import type { ActionArgs, OptionsArgs, ViewArgs } from './types.js';
import { createTriggerSubmitted } from './views/create-trigger.js';
import { rejectReason } from './views/reject-reason.js';

/**
 * Every listener of the app, by surface; each one lives in its own file. Bolt hands each request
 * to every listener it has, each checking whether the request is its own, so this registers one
 * listener per surface and dispatches by id from a map: two dozen listeners cost more per
 * request than the acknowledgement itself.
 */
export function registerListeners(app: App, ctx: SlackContext): void {
  const modal = new CreateModalFlow(ctx);

  app.command(ids.command, pipelineScheduleCommand(ctx, modal));

  const actions = new Map<string, (args: ActionArgs) => Promise<void>>();
  for (const [actionId, toCommand] of commandButtons)
    actions.set(actionId, commandButton(ctx, toCommand));
  actions.set(ids.actions.runNow, runNow(ctx));
  actions.set(ids.actions.rerunExecution, rerunExecution(ctx));
  actions.set(ids.actions.openExecution, openExecution());
  actions.set(ids.actions.approve, approve(ctx));
  actions.set(ids.actions.reject, reject());
  actions.set(ids.actions.openCreate, openCreate(modal));
  actions.set(ids.actions.edit, editTrigger(modal));
  for (const actionId of ids.create.reloads) actions.set(actionId, createModalChanged(modal));
  app.action<BlockAction>(/./, async (args) => {
    const handler = actions.get(args.action.action_id);
    // A button of an older message, or one this version no longer has: acknowledged, ignored.
    if (handler) await handler(args);
    else await args.ack();
  });

  const views = new Map<string, (args: ViewArgs) => Promise<void>>([
    [ids.views.create, createTriggerSubmitted(ctx, modal)],
    [ids.views.rejectReason, rejectReason(ctx)],
  ]);
  app.view<ViewSubmitAction>(/./, async (args) => {
    const handler = views.get(args.view.callback_id);
    if (handler) await handler(args);
    else await args.ack();
  });

  const options = new Map<string, (args: OptionsArgs) => Promise<void>>([
    [ids.options.pipeline, pipelineOptions(modal)],
    [ids.options.timeZone, timeZoneOptions()],
  ]);
  app.options<'block_suggestion'>(/./, async (args) => {
    const handler = options.get(args.body.action_id);
    if (handler) await handler(args);
    else await args.ack({ options: [] });
  });

  app.event('app_home_opened', appHomeOpened(ctx));
}
