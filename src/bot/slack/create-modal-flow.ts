import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import {
  formatInstant,
  previewSchedule,
  type ScheduleWarning,
} from '../../scheduling/expression/index.js';
import {
  checkParameterValues,
  type ParameterValue,
  type Pipeline,
  type PipelineSummary,
} from '../../scheduling/pipeline.js';
import type { TriggerDescription } from '../../scheduling/scheduling-service.js';
import {
  checkEventTrigger,
  checkSchedule,
  readFlexibleWindow,
  type TriggerField,
} from '../../scheduling/trigger-rules.js';
import { collisionWarnings } from '../commands/create.js';
import type { Command } from '../commands/grammar.js';
import type { UpdateCommand } from '../commands/update.js';
import { ids } from '../ids.js';
import { type CreateModalState, CURRENT_ROLE, createModal } from '../views/create-modal.js';
import { pipelineOptionValue } from '../views/create-modal-inputs.js';
import { readCreateModal, readCreateModalMetadata } from '../views/create-modal-read.js';
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
    await this.openWith(client, triggerId, channelId, async () => {
      const tz = await this.ctx.userTimeZone(client, userId);
      return this.stateFor({ triggerType: 'cron', values: {} }, userId, tz, channelId);
    });
  }

  /** The trigger_id lives three seconds and works once: open a loading view first, fill it after. */
  private async openWith(
    client: WebClient,
    triggerId: string,
    channelId: string | undefined,
    load: () => Promise<CreateModalState>,
  ): Promise<void> {
    const opened = await client.views.open({
      trigger_id: triggerId,
      view: withChannel(
        createModal({ triggerType: 'cron', roleChoices: {}, values: {}, loading: true }),
        channelId,
      ),
    });
    const state = await load();
    if (opened.view?.id) {
      await client.views.update({
        view_id: opened.view.id,
        ...(opened.view.hash ? { hash: opened.view.hash } : {}),
        view: withChannel(createModal(state), channelId),
      });
    }
  }

  /** The Edit button: the form prefilled with the trigger as it is now. */
  async openEdit(
    client: WebClient,
    triggerId: string,
    userId: string,
    ref: string,
    channelId?: string,
  ): Promise<void> {
    await this.openWith(client, triggerId, channelId, async () => {
      const tz = await this.ctx.userTimeZone(client, userId);
      const editing = await this.editing(ref, userId, channelId);
      return editing.ok
        ? this.stateFor(editing.read, userId, tz, channelId, editing.edit)
        : { triggerType: 'cron', roleChoices: {}, values: {}, unavailable: editing.message };
    });
  }

  /**
   * The trigger to edit as the form reads it, when this person may see it: the form's values
   * (times as the pickers hold them, the role by its alias) and what the edit keeps.
   */
  private async editing(
    ref: string,
    userId: string,
    channelId: string | undefined,
  ): Promise<
    | {
        ok: true;
        read: ReturnType<typeof readCreateModal>;
        edit: NonNullable<CreateModalState['edit']>;
        current: TriggerDescription;
      }
    | { ok: false; message: string }
  > {
    const found = await this.ctx.runtime.service.describe(ref);
    if (!found.ok) return { ok: false, message: found.error.message };
    const d = found.value;
    const pipelineName =
      d.kind === 'schedule' ? d.trigger.pipelineName : d.trigger.targets[0]?.pipelineName;
    if (!pipelineName) return { ok: false, message: `${d.ref} starts no pipeline` };
    if (d.kind === 'event' && d.trigger.targets.length > 1)
      return {
        ok: false,
        message: `${d.ref} starts ${d.trigger.targets.length} pipelines; change it with /pipeline-schedule update ${d.ref} …, which sets a parameter on each of them`,
      };
    const readable = await this.readablePipeline(pipelineName, userId, channelId);
    if (!readable.ok) return readable;
    const roles = this.ctx.runtime.access.roleChoices(pipelineName, channelId);
    const roleArn = d.trigger.roleArn;
    const roleAlias = Object.entries(roles).find(([, arn]) => arn === roleArn)?.[0] ?? CURRENT_ROLE;
    const parameters = Object.fromEntries(
      (d.kind === 'schedule' ? d.trigger.parameters : (d.trigger.targets[0]?.parameters ?? [])).map(
        (p) => [p.name, p.value],
      ),
    );
    const values: CreateModalState['values'] = { roleAlias, parameters };
    let triggerType: CreateModalState['triggerType'] = 'event';
    if (d.kind === 'schedule') {
      const t = d.trigger;
      triggerType = t.expression.startsWith('at(')
        ? 'at'
        : t.expression.startsWith('rate(')
          ? 'rate'
          : 'cron';
      values.expression = t.expression;
      values.timeZone = t.timeZone;
      if (t.start) values.start = formatInstant(t.start);
      if (t.end) values.end = formatInstant(t.end);
      if (t.flexibleWindowMinutes !== undefined) values.window = String(t.flexibleWindowMinutes);
    } else values.eventPattern = d.trigger.eventPattern;
    return {
      ok: true,
      read: { triggerType, pipeline: readable.pipeline.name, values },
      edit: { ref: d.ref, roleArn },
      current: d,
    };
  }

  /** Something in the open modal changed: rebuild it in place for what it holds now. */
  async rebuild(client: WebClient, view: SubmittedView, userId: string): Promise<void> {
    const channelId = channelIn(view);
    const read = readCreateModal(view.state.values as never);
    const tz = await this.ctx.userTimeZone(client, userId);
    const editingRef = readCreateModalMetadata(view.private_metadata).editing;
    const editing = editingRef ? await this.editing(editingRef, userId, channelId) : undefined;
    const state =
      editing && !editing.ok
        ? {
            triggerType: read.triggerType,
            roleChoices: {},
            values: {},
            unavailable: editing.message,
          }
        : await this.stateFor(
            editing?.ok
              ? {
                  ...editing.read,
                  triggerType: editing.read.triggerType === 'event' ? 'event' : read.triggerType,
                  values: read.values,
                }
              : read,
            userId,
            tz,
            channelId,
            editing?.ok ? editing.edit : undefined,
          );
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
    const editingRef = readCreateModalMetadata(view.private_metadata).editing;
    const editing = editingRef ? await this.editing(editingRef, userId, channelId) : undefined;
    // A rule's form has no type input: it stays a rule.
    if (editing?.ok && editing.read.triggerType === 'event') read.triggerType = 'event';
    if (editing && !editing.ok)
      return { ok: false, errors: { [firstBlock(read.triggerType)]: editing.message } };
    let pipeline: Pipeline | undefined;
    if (editing?.ok) {
      const found = await this.readablePipeline(editing.read.pipeline ?? '', userId, channelId);
      if (found.ok) pipeline = found.pipeline;
      else errors[firstBlock(read.triggerType)] = found.message;
    } else if (!read.pipeline) errors[ids.create.pipeline.block] = 'choose the pipeline to run';
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
    if (editing?.ok) {
      const update = updateOf(
        editing.current,
        read,
        parameters,
        pipeline,
        (alias) => this.ctx.runtime.access.roleChoices(pipeline.name, channelId)[alias],
      );
      if (!update)
        return {
          ok: false,
          errors: {
            [firstBlock(read.triggerType)]: 'nothing is changed yet: change a field, or Cancel',
          },
        };
      return { ok: true, command: update, ...(channelId ? { channelId } : {}) };
    }
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
    edit?: CreateModalState['edit'],
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
      ...(edit ? { edit } : {}),
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
      // A trigger being edited would collide with itself.
      if (preview.ok && pipeline) {
        const collisions = edit
          ? []
          : await collisionWarnings(
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

/** The first input of the form, where a problem with the whole of it is shown. */
function firstBlock(type: CreateModalState['triggerType']): string {
  return type === 'event' ? ids.create.eventPattern.block : ids.create.triggerType.block;
}

/**
 * The edit form as an update of exactly what it changes: each field against the trigger as it
 * is now, so an untouched role is never asked for again; undefined when nothing changed.
 */
function updateOf(
  current: TriggerDescription,
  read: ReturnType<typeof readCreateModal>,
  parameters: ParameterValue[],
  pipeline: Pipeline,
  roleOf: (alias: string) => string | undefined,
): Command | undefined {
  const pipelineName = pipeline.name;
  const v = read.values;
  const options: UpdateCommand['options'] = {};
  const was = current.trigger;
  const alias = v.roleAlias;
  if (alias && alias !== CURRENT_ROLE && roleOf(alias) !== was.roleArn) options.role = alias;
  const currentParameters =
    current.kind === 'schedule'
      ? current.trigger.parameters
      : (current.trigger.targets.find((t) => t.pipelineName === pipelineName)?.parameters ?? []);
  const changedParameters = parameters.filter(
    (p) => currentParameters.find((c) => c.name === p.name)?.value !== p.value,
  );
  // A field emptied in the form: the pipeline's default applies, as the form's hint says.
  // Only fields the form showed: a value for a parameter the pipeline does not declare (set
  // elsewhere) has no field when the pipeline declares others, and stays.
  const shown = (name: string) =>
    pipeline.parameters.length === 0 || pipeline.parameters.some((p) => p.name === name);
  const unset = currentParameters
    .filter((c) => shown(c.name) && !parameters.some((p) => p.name === c.name))
    .map((c) => c.name);
  if (unset.length > 0) options.unset = unset.join(',');
  let expression: string | undefined;
  let pattern: string | undefined;
  if (current.kind === 'schedule') {
    const t = current.trigger;
    if (v.expression && v.expression !== t.expression) expression = v.expression;
    if (v.timeZone && v.timeZone !== t.timeZone) options.timeZone = v.timeZone;
    const instant = (d: Date | undefined) => (d ? formatInstant(d) : undefined);
    if (v.start !== instant(t.start)) options.start = v.start ?? 'none';
    if (v.end !== instant(t.end)) options.end = v.end ?? 'none';
    const window =
      t.flexibleWindowMinutes === undefined ? undefined : String(t.flexibleWindowMinutes);
    if (v.window !== window) options.window = v.window ?? 'off';
  } else if (v.eventPattern && !samePattern(v.eventPattern, current.trigger.eventPattern))
    pattern = v.eventPattern;
  if (
    expression === undefined &&
    pattern === undefined &&
    Object.keys(options).length === 0 &&
    changedParameters.length === 0
  )
    return undefined;
  return {
    name: 'update',
    trigger: current.ref,
    ...(expression !== undefined ? { expression } : {}),
    ...(pattern !== undefined ? { pattern } : {}),
    options,
    parameters: changedParameters,
    dryRun: false,
  };
}

/** Two patterns that say the same, however they are spaced. */
function samePattern(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return a === b;
  }
}
