import type { App, BlockAction } from '@slack/bolt';
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
import { createTriggerSubmitted } from './views/create-trigger.js';
import { rejectReason } from './views/reject-reason.js';

/** Every listener of the app, by surface; each one lives in its own file. */
export function registerListeners(app: App, ctx: SlackContext): void {
  const modal = new CreateModalFlow(ctx);

  app.command(ids.command, pipelineScheduleCommand(ctx, modal));

  for (const [actionId, toCommand] of commandButtons)
    app.action(actionId, commandButton(ctx, toCommand));
  app.action(ids.actions.runNow, runNow(ctx));
  app.action(ids.actions.rerunExecution, rerunExecution(ctx));
  app.action(ids.actions.openExecution, openExecution());
  app.action(ids.actions.approve, approve(ctx));
  app.action(ids.actions.reject, reject());
  app.action(ids.actions.openCreate, openCreate(modal));
  app.action(ids.actions.edit, editTrigger(modal));
  for (const actionId of ids.create.reloads)
    app.action<BlockAction>({ action_id: actionId }, createModalChanged(modal));

  app.view(ids.views.create, createTriggerSubmitted(ctx, modal));
  app.view(ids.views.rejectReason, rejectReason(ctx));

  app.options(ids.options.pipeline, pipelineOptions(modal));
  app.options(ids.options.timeZone, timeZoneOptions());

  app.event('app_home_opened', appHomeOpened(ctx));
}
