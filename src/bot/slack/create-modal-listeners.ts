import type { App } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import type { Runtime } from '../../runtime.js';
import { parseEventPattern } from '../../scheduling/events/event-pattern.js';
import { previewSchedule } from '../../scheduling/expression/index.js';
import { checkParameterValues, type Pipeline } from '../../scheduling/pipeline.js';
import { TRIGGER_NAME } from '../../scheduling/triggers.js';
import type { Command } from '../commands/grammar.js';
import type { Reply } from '../commands/replies.js';
import { ids } from '../ids.js';
import {
  type CreateModalState,
  createModal,
  pipelineOption,
  pipelineOptionValue,
  readCreateModal,
  timeZoneOption,
} from '../views/create-modal.js';
import { replyBlocks } from '../views/reply-blocks.js';
import { PipelineSearch } from './pipeline-search.js';

interface Deps {
  runtime: Runtime;
  log: Logger;
  userTimeZone(client: WebClient, userId: string): Promise<string | undefined>;
  run(client: WebClient, command: Command, userId: string, channelId?: string): Promise<Reply>;
  postToUser(
    client: WebClient,
    userId: string,
    message: { text: string; blocks?: unknown[] },
  ): Promise<void>;
}

type OpenCreateModal = (
  client: WebClient,
  triggerId: string,
  userId: string,
  channelId?: string,
) => Promise<void>;

/**
 * The create modal: opened at once with the trigger_id (a loading view), filled in once the
 * user's zone is known, rebuilt in place when the type, pipeline, expression or zone changes,
 * and checked on submit with errors beside the fields that caused them.
 */
export function registerCreateModal(app: App, deps: Deps): OpenCreateModal {
  const { runtime } = deps;

  /** Option values of very long names are clipped with a hash: map one back to its name. */
  const pipelineFromOption = async (value: string): Promise<string> => {
    if (!value.includes('~')) return value;
    const found = await runtime.service.pipelines(value.slice(0, value.indexOf('~')));
    return (
      (found.ok ? found.value.items : []).find((p) => pipelineOptionValue(p.name) === value)
        ?.name ?? value
    );
  };

  const withChannel = (view: ModalView, channelId: string | undefined): ModalView => {
    if (!channelId) return view;
    return {
      ...view,
      private_metadata: JSON.stringify({ ...parse(view.private_metadata), channel: channelId }),
    };
  };

  /**
   * The chosen pipeline, when this person may see it: its parameters and description are shown
   * only to readers (a crafted option value must not reveal a restricted pipeline).
   */
  const readablePipeline = async (
    option: string,
    userId: string,
    channelId: string | undefined,
  ): Promise<{ ok: true; pipeline: Pipeline } | { ok: false; message: string }> => {
    const reader = await runtime.access.reader(userId, channelId);
    if (!reader.ok) return { ok: false, message: reader.reason };
    const name = await pipelineFromOption(option);
    const denied = reader.denial([name]);
    if (denied) return { ok: false, message: denied };
    const found = await runtime.service.pipeline(name);
    return found.ok
      ? { ok: true, pipeline: found.value }
      : { ok: false, message: found.error.message };
  };

  /** The modal for what has been typed so far: pipeline details, allowed roles, live preview. */
  const stateFor = async (
    read: ReturnType<typeof readCreateModal>,
    userId: string,
    userTimeZone: string | undefined,
    channelId?: string,
  ): Promise<CreateModalState> => {
    let pipeline: Pipeline | undefined;
    if (read.pipeline) {
      const found = await readablePipeline(read.pipeline, userId, channelId);
      if (found.ok) pipeline = found.pipeline;
    }
    const roleChoices = pipeline ? runtime.access.roleChoices(pipeline.name, channelId) : {};
    const values = {
      ...read.values,
      ...(read.values.timeZone ? {} : userTimeZone ? { timeZone: userTimeZone } : {}),
    };
    const state: CreateModalState = {
      triggerType: read.triggerType,
      roleChoices,
      values,
      ...(pipeline ? { pipeline: { name: pipeline.name, parameters: pipeline.parameters } } : {}),
      ...(userTimeZone ? { userTimeZone } : {}),
    };
    if (read.triggerType !== 'event' && values.expression) {
      const preview = previewSchedule({
        expression: values.expression,
        now: new Date(),
        count: 5,
        ...(values.timeZone ? { timeZone: values.timeZone } : {}),
      });
      state.preview = preview.ok
        ? { ok: true, preview: preview.preview, userZoneRuns: preview.preview.occurrences }
        : { ok: false, message: preview.error.message };
    }
    return state;
  };

  const open: OpenCreateModal = async (client, triggerId, userId, channelId) => {
    // The trigger_id lives three seconds and works once: open first, load after.
    const opened = await client.views.open({
      trigger_id: triggerId,
      view: withChannel(
        createModal({ triggerType: 'cron', roleChoices: {}, values: {}, loading: true }),
        channelId,
      ),
    });
    const tz = await deps.userTimeZone(client, userId);
    const state = await stateFor({ triggerType: 'cron', values: {} }, userId, tz, channelId);
    if (opened.view?.id) {
      await client.views.update({
        view_id: opened.view.id,
        ...(opened.view.hash ? { hash: opened.view.hash } : {}),
        view: withChannel(createModal(state), channelId),
      });
    }
  };

  for (const actionId of ids.create.reloads) {
    app.action({ action_id: actionId }, async ({ ack, body, client }) => {
      await ack();
      if (body.type !== 'block_actions' || !body.view) return;
      const channelId = parse(body.view.private_metadata).channel as string | undefined;
      const read = readCreateModal(body.view.state.values as never);
      const state = await stateFor(
        read,
        body.user.id,
        await deps.userTimeZone(client, body.user.id),
        channelId,
      );
      await client.views
        .update({
          view_id: body.view.id,
          hash: body.view.hash,
          view: withChannel(createModal(state), channelId),
        })
        .catch((error: unknown) =>
          deps.log.debug(
            { err: error },
            'modal changed meanwhile (hash_conflict); the next change rebuilds it',
          ),
        );
    });
  }

  const search = new PipelineSearch(runtime.service);
  app.options(ids.options.pipeline, async ({ ack, options, body }) => {
    // Only pipelines this person may see are offered, restricted ones are not even named.
    const channelId = 'channel' in body && body.channel ? body.channel.id : undefined;
    const reader = await runtime.access
      .reader(body.user.id, channelId)
      .catch(() => ({ ok: false as const, reason: '' }));
    const found = reader.ok
      ? await search.search(options.value ?? '', (p) => reader.mayRead([p.name])).catch(() => [])
      : [];
    await ack({ options: found.map((p) => pipelineOption(p.name, p.description)) });
  });

  app.options(ids.options.timeZone, async ({ ack, options }) => {
    const query = (options.value ?? '').toLowerCase();
    const zones = ['UTC', ...Intl.supportedValuesOf('timeZone')]
      .filter((z) => z.toLowerCase().includes(query))
      .slice(0, 100);
    await ack({ options: zones.map(timeZoneOption) });
  });

  app.view(ids.views.create, async ({ ack, body, view, client }) => {
    const read = readCreateModal(view.state.values as never);
    const channelId = parse(view.private_metadata).channel as string | undefined;
    const errors: Record<string, string> = {};
    const v = read.values;
    let pipeline: Pipeline | undefined;
    if (!read.pipeline) errors[ids.create.pipeline.block] = 'choose the pipeline to run';
    else {
      const found = await readablePipeline(read.pipeline, body.user.id, channelId);
      if (found.ok) pipeline = found.pipeline;
      else errors[ids.create.pipeline.block] = found.message;
    }
    if (read.triggerType === 'event') {
      const pattern = parseEventPattern(v.eventPattern ?? '');
      if (!pattern.ok) errors[ids.create.eventPattern.block] = pattern.error.message;
    } else {
      const preview = previewSchedule({
        expression: v.expression ?? '',
        now: new Date(),
        ...(v.timeZone ? { timeZone: v.timeZone } : {}),
      });
      if (!preview.ok) {
        const block =
          preview.error.code === 'INVALID_TIME_ZONE'
            ? ids.create.timeZone.block
            : read.triggerType === 'at' && !v.expression
              ? ids.create.atPicker.block
              : ids.create.expression.block;
        errors[block] = preview.error.message;
      }
    }
    if (v.name && !TRIGGER_NAME.test(v.name))
      errors[ids.create.name.block] = 'letters, digits, "-", "_" and "." only, at most 64';
    if (v.window && !/^\d+$/.test(v.window))
      errors[ids.create.window.block] = 'a number of minutes, 1-1440';
    const parameters = Object.entries(v.parameters ?? {})
      .filter(([, value]) => value !== '')
      .map(([name, value]) => ({ name, value: String(value) }));
    if (pipeline) {
      const problems = checkParameterValues(pipeline.parameters, parameters, {
        pipelineName: pipeline.name,
        allowDynamic: read.triggerType === 'event',
      });
      for (const problem of problems) {
        const index = pipeline.parameters.findIndex((p) => p.name === problem.name);
        const block =
          pipeline.parameters.length > 0 &&
          index >= 0 &&
          !(ids.create.parameters.block in (view.state.values as object))
            ? `${ids.create.parameterBlockPrefix}${index}`
            : ids.create.parameters.block;
        errors[block] = errors[block] ? `${errors[block]}; ${problem.message}` : problem.message;
      }
      const roles = runtime.access.roleChoices(pipeline.name, channelId);
      if (!v.roleAlias && Object.keys(roles).length > 1)
        errors[ids.create.role.block] = 'choose the execution role the trigger runs as';
    }
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    const options = {
      ...(v.name ? { name: v.name } : {}),
      ...(v.roleAlias ? { role: v.roleAlias } : {}),
    };
    const command: Command =
      read.triggerType === 'event'
        ? {
            name: 'on-event',
            pipelines: [pipeline?.name ?? ''],
            pattern: v.eventPattern ?? '',
            options,
            parameters,
            dryRun: false,
          }
        : {
            name: 'create',
            pipeline: pipeline?.name ?? '',
            expression: v.expression ?? '',
            options: {
              ...options,
              ...(v.timeZone ? { timeZone: v.timeZone } : {}),
              ...(v.start ? { start: v.start } : {}),
              ...(v.end ? { end: v.end } : {}),
              ...(v.window ? { window: v.window } : {}),
            },
            parameters,
            dryRun: false,
          };
    const reply = await deps.run(client, command, body.user.id, channelId);
    const tz = await deps.userTimeZone(client, body.user.id);
    await deps.postToUser(client, body.user.id, replyBlocks(reply, tz ? { userTimeZone: tz } : {}));
  });

  return open;
}

function parse(text: string | undefined): Record<string, unknown> {
  try {
    return JSON.parse(text ?? '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}
