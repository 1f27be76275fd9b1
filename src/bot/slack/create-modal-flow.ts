import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { previewSchedule, type ScheduleWarning } from '../../scheduling/expression/index.js';
import {
  checkParameterValues,
  type Pipeline,
  type PipelineSummary,
} from '../../scheduling/pipeline.js';
import {
  checkEventTrigger,
  checkSchedule,
  readFlexibleWindow,
  type TriggerField,
} from '../../scheduling/trigger-rules.js';
import { collisionWarnings } from '../commands/create.js';
import type { Command } from '../commands/grammar.js';
import { ids } from '../ids.js';
import { type CreateModalState, createModal } from '../views/create-modal.js';
import { pipelineOptionValue } from '../views/create-modal-inputs.js';
import { readCreateModal } from '../views/create-modal-read.js';
import type { SlackContext } from './context.js';
import { PipelineSearch } from './pipeline-search.js';
import { parseMetadata } from './support.js';

/** A view as Slack sends it back: its id, hash, metadata and input values. */
export interface SubmittedView {
  id?: string;
  hash?: string;
  private_metadata?: string;
  state: { values: unknown };
}

/**
 * The create modal as a flow: opened at once with the trigger_id (a loading view), filled in
 * once the user's zone is known, rebuilt in place when the type, pipeline, expression or zone
 * changes, and checked on submit with errors beside the fields that caused them. Only
 * pipelines the person may read are offered, described or accepted.
 */
export class CreateModalFlow {
  private readonly search: PipelineSearch;

  constructor(private readonly ctx: SlackContext) {
    this.search = new PipelineSearch(ctx.runtime.service);
  }

  async open(
    client: WebClient,
    triggerId: string,
    userId: string,
    channelId?: string,
  ): Promise<void> {
    // The trigger_id lives three seconds and works once: open first, load after.
    const opened = await client.views.open({
      trigger_id: triggerId,
      view: withChannel(
        createModal({ triggerType: 'cron', roleChoices: {}, values: {}, loading: true }),
        channelId,
      ),
    });
    const tz = await this.ctx.userTimeZone(client, userId);
    const state = await this.stateFor({ triggerType: 'cron', values: {} }, userId, tz, channelId);
    if (opened.view?.id) {
      await client.views.update({
        view_id: opened.view.id,
        ...(opened.view.hash ? { hash: opened.view.hash } : {}),
        view: withChannel(createModal(state), channelId),
      });
    }
  }

  /** Something in the open modal changed: rebuild it in place for what it holds now. */
  async rebuild(client: WebClient, view: SubmittedView, userId: string): Promise<void> {
    const channelId = channelIn(view);
    const read = readCreateModal(view.state.values as never);
    const tz = await this.ctx.userTimeZone(client, userId);
    const state = await this.stateFor(read, userId, tz, channelId);
    await client.views
      .update({
        view_id: view.id ?? '',
        ...(view.hash ? { hash: view.hash } : {}),
        view: withChannel(createModal(state), channelId),
      })
      .catch((error: unknown) =>
        this.ctx.log.debug(
          { err: error },
          'modal changed meanwhile (hash_conflict); the next change rebuilds it',
        ),
      );
  }

  /** The pipelines to offer for what was typed: only those this person may see. */
  async pipelineOptions(
    userId: string,
    channelId: string | undefined,
    query: string,
  ): Promise<PipelineSummary[]> {
    const reader = await this.ctx.runtime.access
      .reader(userId, channelId)
      .catch(() => ({ ok: false as const, reason: '' }));
    if (!reader.ok) return [];
    return this.search.search(query, (p) => reader.mayRead([p.name])).catch(() => []);
  }

  /**
   * Checks a submission: errors by block, or the command it stands for and the channel the
   * modal was opened from.
   */
  async submit(
    view: SubmittedView,
    userId: string,
  ): Promise<
    | { ok: false; errors: Record<string, string> }
    | { ok: true; command: Command; channelId?: string }
  > {
    const read = readCreateModal(view.state.values as never);
    const channelId = channelIn(view);
    const errors: Record<string, string> = {};
    const v = read.values;
    let pipeline: Pipeline | undefined;
    if (!read.pipeline) errors[ids.create.pipeline.block] = 'choose the pipeline to run';
    else {
      const found = await this.readablePipeline(read.pipeline, userId, channelId);
      if (found.ok) pipeline = found.pipeline;
      else errors[ids.create.pipeline.block] = found.message;
    }
    // The shared trigger rules, so the modal says what the CLI and the terminal say; the
    // pipeline and the role are chosen from lists, checked above and below.
    const window = v.window ? readFlexibleWindow(v.window) : undefined;
    const named = v.name ? { name: v.name } : {};
    const checked =
      read.triggerType === 'event'
        ? checkEventTrigger({ pipelineCount: 1, eventPattern: v.eventPattern ?? '', ...named })
        : checkSchedule({
            expression: v.expression ?? '',
            now: new Date(),
            ...(v.timeZone ? { timeZone: v.timeZone } : {}),
            ...named,
            ...(window?.ok ? { flexibleWindowMinutes: window.value } : {}),
          });
    const problems = [
      ...(checked.ok ? [] : checked.problems),
      ...(window && !window.ok ? [window.problem] : []),
    ];
    for (const problem of problems) {
      const block = blockOf(problem.field, read.triggerType === 'at' && !v.expression);
      if (!errors[block]) errors[block] = problem.message;
    }
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
      const roles = this.ctx.runtime.access.roleChoices(pipeline.name, channelId);
      if (!v.roleAlias && Object.keys(roles).length > 1)
        errors[ids.create.role.block] = 'choose the execution role the trigger runs as';
    }
    if (Object.keys(errors).length > 0 || !pipeline) return { ok: false, errors };
    const options = {
      ...(v.name ? { name: v.name } : {}),
      ...(v.roleAlias ? { role: v.roleAlias } : {}),
    };
    const command: Command =
      read.triggerType === 'event'
        ? {
            name: 'on-event',
            pipelines: [pipeline.name],
            pattern: v.eventPattern ?? '',
            options,
            parameters,
            dryRun: false,
          }
        : {
            name: 'create',
            pipeline: pipeline.name,
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
    return { ok: true, command, ...(channelId ? { channelId } : {}) };
  }

  /** Option values of very long names are clipped with a hash: map one back to its name. */
  private async pipelineFromOption(value: string): Promise<string> {
    if (!value.includes('~')) return value;
    const found = await this.ctx.runtime.service.pipelines(value.slice(0, value.indexOf('~')));
    return (
      (found.ok ? found.value.items : []).find((p) => pipelineOptionValue(p.name) === value)
        ?.name ?? value
    );
  }

  /**
   * The chosen pipeline, when this person may see it: its parameters and description are shown
   * only to readers (a crafted option value must not reveal a restricted pipeline).
   */
  private async readablePipeline(
    option: string,
    userId: string,
    channelId: string | undefined,
  ): Promise<{ ok: true; pipeline: Pipeline } | { ok: false; message: string }> {
    const reader = await this.ctx.runtime.access.reader(userId, channelId);
    if (!reader.ok) return { ok: false, message: reader.reason };
    const name = await this.pipelineFromOption(option);
    const denied = reader.denial([name]);
    if (denied) return { ok: false, message: denied };
    const found = await this.ctx.runtime.service.pipeline(name);
    return found.ok
      ? { ok: true, pipeline: found.value }
      : { ok: false, message: found.error.message };
  }

  /** The modal for what has been typed so far: pipeline details, allowed roles, live preview. */
  private async stateFor(
    read: ReturnType<typeof readCreateModal>,
    userId: string,
    userTimeZone: string | undefined,
    channelId?: string,
  ): Promise<CreateModalState> {
    let pipeline: Pipeline | undefined;
    if (read.pipeline) {
      const found = await this.readablePipeline(read.pipeline, userId, channelId);
      if (found.ok) pipeline = found.pipeline;
    }
    const roleChoices = pipeline
      ? this.ctx.runtime.access.roleChoices(pipeline.name, channelId)
      : {};
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
      // The same look-around as the typed create, so the person sees the double run before
      // submitting, not only in the reply.
      if (preview.ok && pipeline) {
        const collisions = await collisionWarnings(
          this.ctx.runtime.service,
          {
            pipeline: pipeline.name,
            expression: values.expression,
            ...(values.name ? { name: values.name } : {}),
            ...(values.timeZone ? { timeZone: values.timeZone } : {}),
          },
          new Date(),
        ).catch(() => []);
        preview.preview.warnings.push(
          ...(await this.roleWarnings(roleChoices, values.roleAlias, pipeline.name, 'schedule')),
          ...collisions,
        );
      }
    }
    if (read.triggerType === 'event' && pipeline) {
      const warnings = await this.roleWarnings(
        roleChoices,
        values.roleAlias,
        pipeline.name,
        'event',
      );
      if (warnings.length > 0) state.ruleWarnings = warnings;
    }
    return state;
  }

  /** The role check on the role the form would use: the chosen one, the only one, the default. */
  private async roleWarnings(
    choices: Record<string, string>,
    alias: string | undefined,
    pipelineName: string,
    kind: 'schedule' | 'event',
  ): Promise<ScheduleWarning[]> {
    const arns = Object.values(choices);
    const roleArn =
      (alias ? choices[alias] : undefined) ??
      (arns.length === 1 ? arns[0] : undefined) ??
      this.ctx.runtime.defaultRole;
    if (!roleArn) return [];
    return this.ctx.runtime.service
      .roleWarnings({ roleArn, kind, pipelines: [pipelineName] })
      .catch(() => []);
  }
}

/**
 * The block each trigger-rule problem is shown beside. The modal has no description, retry or
 * dead-letter inputs, so those never come up; beside the name is where they would read best.
 */
const blockOfField: Record<TriggerField, string> = {
  expression: ids.create.expression.block,
  timeZone: ids.create.timeZone.block,
  start: ids.create.start.block,
  end: ids.create.end.block,
  flexibleWindowMinutes: ids.create.window.block,
  eventPattern: ids.create.eventPattern.block,
  roleArn: ids.create.role.block,
  pipelines: ids.create.pipeline.block,
  name: ids.create.name.block,
  description: ids.create.name.block,
  retryPolicy: ids.create.name.block,
  deadLetterArn: ids.create.name.block,
};

/** The block for a problem; the at() picker's when it holds the time. */
function blockOf(field: TriggerField, fromAtPicker: boolean): string {
  return field === 'expression' && fromAtPicker ? ids.create.atPicker.block : blockOfField[field];
}

/** The channel the modal was opened from, kept in its metadata. */
function channelIn(view: SubmittedView): string | undefined {
  const channel = parseMetadata(view.private_metadata).channel;
  return typeof channel === 'string' ? channel : undefined;
}

function withChannel(view: ModalView, channelId: string | undefined): ModalView {
  if (!channelId) return view;
  return {
    ...view,
    private_metadata: JSON.stringify({
      ...parseMetadata(view.private_metadata),
      channel: channelId,
    }),
  };
}
