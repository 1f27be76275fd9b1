import { createHash } from 'node:crypto';
import { metrics } from '../ops/metrics.js';
import type { Store } from '../store/store.js';
import { isTriggerError, TriggerError, type TriggerErrorCode } from './errors.js';
import { parseEventPattern } from './events/event-pattern.js';
import {
  previewSchedule,
  previewStoredSchedule,
  type ScheduleWarning,
} from './expression/index.js';
import {
  checkParameterValues,
  type ParameterValue,
  type Pipeline,
  type PipelineSummary,
  parsePipelineRef,
  pipelineNameOf,
} from './pipeline.js';
import type { Backend } from './ports.js';
import {
  DEFAULT_RETRY_POLICY,
  deadLetterWarnings,
  type EventTrigger,
  type ExecutionSummary,
  MAX_DESCRIPTION_LENGTH,
  MAX_RULE_TARGETS,
  type Page,
  type RetryPolicy,
  ROLE_ARN,
  type RuleRecord,
  type ScheduleRecord,
  type ScheduleTrigger,
  SQS_ARN,
  TRIGGER_NAME,
  type TriggerState,
} from './triggers.js';

/** Who is asking, and under which request: the request id makes every change idempotent. */
export interface RequestContext {
  requestId: string;
  userId?: string;
  /** The Slack channel the request came from: the trigger's executions are posted there. */
  channelId?: string;
  approvedBy?: string[];
  /** The execution roles this caller may pass (the access policy supplies them); 'any' locally. */
  allowedRoles: string[] | 'any';
  /** Show the requests that would be sent, change nothing. */
  dryRun?: boolean;
  now?: Date;
}

export type ServiceErrorCode = TriggerErrorCode | 'INVALID_INPUT' | 'ROLE_NOT_ALLOWED';

export interface ServiceError {
  code: ServiceErrorCode;
  message: string;
  /** The input field the problem is about, for forms that show errors beside fields. */
  field?: string;
  /** Every problem, when there are several (parameters). */
  problems?: Array<{ field: string; message: string }>;
}

export type ServiceResult<T> = { ok: true; value: T } | { ok: false; error: ServiceError };

export interface CreateScheduleInput {
  pipeline: string;
  expression: string;
  name?: string;
  timeZone?: string;
  start?: Date;
  end?: Date;
  flexibleWindowMinutes?: number;
  roleArn: string;
  state?: TriggerState;
  parameters?: ParameterValue[];
  description?: string;
  retryPolicy?: RetryPolicy;
  deadLetterArn?: string;
  /** Default: true for at(), which would otherwise linger after it ran. */
  deleteAfterCompletion?: boolean;
}

export interface CreateEventTriggerInput {
  pipelines: string[];
  eventPattern: string;
  name?: string;
  roleArn: string;
  state?: TriggerState;
  /** Values may be JSON paths into the event ($.detail.key). Applied to every target pipeline. */
  parameters?: ParameterValue[];
  description?: string;
}

export interface Attribution {
  createdBy?: string;
  approvedBy?: string[];
  createdAt?: Date;
}

export interface ScheduleDescription {
  kind: 'schedule';
  trigger: ScheduleRecord;
  description: string;
  nextRuns: Date[];
  warnings: ScheduleWarning[];
  pipelineExists: boolean;
  attribution: Attribution;
  /** Fields that AWS holds differently from what the bot last wrote; empty when in step. */
  drift: string[];
}

export interface EventTriggerDescription {
  kind: 'event';
  trigger: RuleRecord;
  pipelinesExist: Record<string, boolean>;
  attribution: Attribution;
  drift: string[];
}

export type TriggerDescription = ScheduleDescription | EventTriggerDescription;

export interface TriggerListItem {
  kind: 'schedule' | 'event';
  name: string;
  arn: string;
  state: TriggerState;
  pipelineNames: string[];
}

export interface Orphan {
  kind: 'schedule' | 'event';
  name: string;
  arn: string;
  missingPipelines: string[];
}

export interface DryRun {
  dryRun: true;
  /** What would be sent, operation by operation. */
  requests: Array<{ operation: string; input: unknown }>;
}

const DEFAULT_LIST_PAGE = 50;

/**
 * The use cases: create, describe, list, update, pause/resume, delete, run now, history, orphans.
 * Everything a person typed is checked before any call to AWS; expected failures come back as
 * values with a code and a sentence for that person.
 */
export class SchedulingService {
  constructor(
    private readonly backend: Backend,
    private readonly store: Store,
    private readonly options: { group: string },
  ) {}

  get group(): string {
    return this.options.group;
  }

  async createSchedule(
    input: CreateScheduleInput,
    ctx: RequestContext,
  ): Promise<ServiceResult<ScheduleRecord | DryRun>> {
    return this.guard(async () => {
      const built = await this.buildSchedule(input, ctx);
      if (!built.ok) return built;
      const schedule = built.value;
      const clientToken = tokenFor(ctx.requestId, 'create-schedule');
      if (ctx.dryRun)
        return ok(dryRun(this.backend.requests.createSchedule(schedule, clientToken)));
      if (await this.exists(schedule.name)) {
        return fail(
          'ALREADY_EXISTS',
          `a trigger named ${schedule.name} already exists; pick another name=…`,
          'name',
        );
      }
      await this.backend.schedules.ensureGroup(schedule.group);
      await this.backend.schedules.create(schedule, clientToken);
      await this.record('schedule', schedule, ctx);
      metrics.triggers.inc({ action: 'created', kind: 'schedule' });
      return ok(await this.backend.schedules.get(schedule.group, schedule.name));
    });
  }

  async createEventTrigger(
    input: CreateEventTriggerInput,
    ctx: RequestContext,
  ): Promise<ServiceResult<RuleRecord | DryRun>> {
    return this.guard(async () => {
      const built = await this.buildEventTrigger(input, ctx);
      if (!built.ok) return built;
      const rule = built.value;
      if (ctx.dryRun) return ok(dryRun(this.backend.requests.putRule(rule)));
      if (await this.exists(rule.name)) {
        return fail(
          'ALREADY_EXISTS',
          `a trigger named ${rule.name} already exists; pick another name=…`,
          'name',
        );
      }
      await this.backend.rules.put(rule);
      await this.record('event', rule, ctx);
      metrics.triggers.inc({ action: 'created', kind: 'event' });
      return ok(await this.backend.rules.get(rule.name));
    });
  }

  async describe(name: string, now = new Date()): Promise<ServiceResult<TriggerDescription>> {
    return this.guard(async () => {
      const found = await this.find(name);
      if (!found) return fail('NOT_FOUND', `no schedule or rule named ${name}`, 'name');
      if (found.kind === 'schedule') {
        const trigger = found.record;
        // Counted as the local engine fires them (a rate() from its creation second), so the
        // runs listed are the runs that happen.
        const preview = previewStoredSchedule(trigger, { now, count: 5 });
        const recorded = await this.store.triggerRecords.get(
          'schedule',
          recordKey('schedule', trigger),
        );
        return ok({
          kind: 'schedule',
          trigger,
          description: preview.ok ? preview.preview.description : trigger.expression,
          nextRuns: trigger.state === 'ENABLED' && preview.ok ? preview.preview.occurrences : [],
          warnings: [
            ...(preview.ok ? preview.preview.warnings : []),
            ...deadLetterWarnings(trigger),
          ],
          pipelineExists: await this.pipelineExists(trigger.pipelineName),
          attribution: attribution(recorded),
          drift: recorded
            ? scheduleDrift(JSON.parse(recorded.spec) as SerializedSchedule, trigger)
            : [],
        });
      }
      const trigger = found.record;
      const exists: Record<string, boolean> = {};
      for (const target of trigger.targets)
        exists[target.pipelineName] = await this.pipelineExists(target.pipelineName);
      const recorded = await this.store.triggerRecords.get('event', trigger.name);
      return ok({
        kind: 'event',
        trigger,
        pipelinesExist: exists,
        attribution: attribution(recorded),
        drift: recorded ? ruleDrift(JSON.parse(recorded.spec) as EventTrigger, trigger) : [],
      });
    });
  }

  /** Schedules of the bot's group, then rules; `pipeline` keeps those that start it. */
  async list(
    query: { pipeline?: string; nextToken?: string; maxResults?: number } = {},
  ): Promise<ServiceResult<Page<TriggerListItem>>> {
    return this.guard(async () => {
      const size = Math.min(Math.max(query.maxResults ?? DEFAULT_LIST_PAGE, 1), 100);
      const wanted = query.pipeline ? pipelineNameOf(query.pipeline).toLowerCase() : undefined;
      const items: TriggerListItem[] = [];
      let [phase, token] = decodeListToken(query.nextToken);
      while (items.length < size && phase !== 'done') {
        if (phase === 'schedules') {
          await this.backend.schedules.ensureGroup(this.group);
          const page = await this.backend.schedules.list({
            group: this.group,
            maxResults: 100,
            ...(token ? { nextToken: token } : {}),
          });
          for (const s of page.items) {
            const pipelineName = pipelineNameOf(s.targetArn);
            if (!wanted || pipelineName.toLowerCase() === wanted) {
              items.push({
                kind: 'schedule',
                name: s.name,
                arn: s.arn,
                state: s.state,
                pipelineNames: [pipelineName],
              });
            }
          }
          [phase, token] = page.nextToken ? ['schedules', page.nextToken] : ['rules', undefined];
        } else {
          const page = await this.backend.rules.list({
            maxResults: 100,
            ...(token ? { nextToken: token } : {}),
          });
          for (const summary of page.items) {
            const rule = await this.backend.rules.get(summary.name).catch(() => undefined);
            if (!rule) continue;
            const names = rule.targets.map((t) => t.pipelineName);
            if (!wanted || names.some((n) => n.toLowerCase() === wanted)) {
              items.push({
                kind: 'event',
                name: rule.name,
                arn: rule.arn,
                state: rule.state,
                pipelineNames: names,
              });
            }
          }
          [phase, token] = page.nextToken ? ['rules', page.nextToken] : ['done', undefined];
        }
      }
      return ok({
        items,
        ...(phase !== 'done' ? { nextToken: encodeListToken(phase, token) } : {}),
      });
    });
  }

  /** Changes a schedule: read it, apply the changes, write the whole of it back. */
  async updateSchedule(
    name: string,
    changes: Partial<CreateScheduleInput>,
    ctx: RequestContext,
  ): Promise<ServiceResult<ScheduleRecord | DryRun>> {
    return this.guard(async () => {
      const current = await this.backend.schedules.get(this.group, name);
      const merged: CreateScheduleInput = {
        pipeline: current.pipelineArn,
        expression: current.expression,
        name,
        timeZone: current.timeZone,
        roleArn: current.roleArn,
        state: current.state,
        parameters: current.parameters,
        retryPolicy: current.retryPolicy,
        deleteAfterCompletion: current.deleteAfterCompletion,
        ...(current.start ? { start: current.start } : {}),
        ...(current.end ? { end: current.end } : {}),
        ...(current.flexibleWindowMinutes !== undefined
          ? { flexibleWindowMinutes: current.flexibleWindowMinutes }
          : {}),
        ...(current.description !== undefined ? { description: current.description } : {}),
        ...(current.deadLetterArn !== undefined ? { deadLetterArn: current.deadLetterArn } : {}),
        ...changes,
      };
      const built = await this.buildSchedule(merged, ctx);
      if (!built.ok) return built;
      const clientToken = tokenFor(ctx.requestId, 'update-schedule');
      if (ctx.dryRun)
        return ok(dryRun(this.backend.requests.updateSchedule(built.value, clientToken)));
      await this.backend.schedules.update(built.value, clientToken);
      await this.record('schedule', built.value, ctx);
      return ok(await this.backend.schedules.get(this.group, name));
    });
  }

  async pause(name: string, ctx: RequestContext): Promise<ServiceResult<TriggerListItem | DryRun>> {
    return this.setState(name, 'DISABLED', ctx);
  }

  async resume(
    name: string,
    ctx: RequestContext,
  ): Promise<ServiceResult<TriggerListItem | DryRun>> {
    return this.setState(name, 'ENABLED', ctx);
  }

  async delete(
    name: string,
    ctx: RequestContext,
  ): Promise<ServiceResult<TriggerListItem | DryRun>> {
    return this.guard(async () => {
      const found = await this.find(name);
      if (!found) return fail('NOT_FOUND', `no schedule or rule named ${name}`, 'name');
      const item = listItem(found);
      if (found.kind === 'schedule') {
        const clientToken = tokenFor(ctx.requestId, 'delete-schedule');
        if (ctx.dryRun)
          return ok(dryRun(this.backend.requests.deleteSchedule(this.group, name, clientToken)));
        await this.backend.schedules.delete(this.group, name, clientToken);
        await this.store.triggerRecords.delete('schedule', recordKey('schedule', found.record));
      } else {
        if (ctx.dryRun) return ok(dryRun(this.backend.requests.deleteRule(found.record)));
        await this.backend.rules.delete(name);
        await this.store.triggerRecords.delete('event', name);
      }
      metrics.triggers.inc({ action: 'deleted', kind: found.kind });
      return ok(item);
    });
  }

  /** Starts the pipeline now; the request id is the client token, so a retry starts it once. */
  async runNow(
    pipeline: string,
    parameters: ParameterValue[],
    ctx: RequestContext,
  ): Promise<ServiceResult<{ executionArn: string } | DryRun>> {
    return this.guard(async () => {
      const found = await this.loadPipeline(pipeline);
      if (!found.ok) return found;
      const problems = checkParameterValues(found.value.parameters, parameters, {
        pipelineName: found.value.name,
      });
      if (problems.length > 0) return parameterFailure(problems);
      const request = {
        pipelineName: found.value.name,
        parameters,
        clientToken: tokenFor(ctx.requestId, 'run'),
        description: ctx.userId
          ? `Started from chat by ${ctx.userId}`
          : 'Started from the pipeline-schedule bot',
      };
      if (ctx.dryRun) return ok(dryRun(this.backend.requests.startExecution(request)));
      return ok(await this.backend.pipelines.start(request));
    });
  }

  async history(pipeline: string, maxResults = 10): Promise<ServiceResult<ExecutionSummary[]>> {
    return this.guard(async () => {
      const found = await this.loadPipeline(pipeline);
      if (!found.ok) return found;
      const page = await this.backend.pipelines.listExecutions(found.value.name, { maxResults });
      return ok(page.items);
    });
  }

  /** Triggers whose pipeline no longer exists: they would fail at every run. */
  async orphans(): Promise<ServiceResult<Orphan[]>> {
    return this.guard(async () => {
      const orphans: Orphan[] = [];
      const known = new Map<string, boolean>();
      const exists = async (name: string) => {
        const key = name.toLowerCase();
        if (!known.has(key)) known.set(key, await this.pipelineExists(name));
        return known.get(key) ?? false;
      };
      let nextToken: string | undefined;
      do {
        const page = await this.list({ maxResults: 100, ...(nextToken ? { nextToken } : {}) });
        if (!page.ok) return page;
        for (const item of page.value.items) {
          const missing: string[] = [];
          for (const pipelineName of item.pipelineNames)
            if (!(await exists(pipelineName))) missing.push(pipelineName);
          if (missing.length > 0)
            orphans.push({
              kind: item.kind,
              name: item.name,
              arn: item.arn,
              missingPipelines: missing,
            });
        }
        nextToken = page.value.nextToken;
      } while (nextToken);
      return ok(orphans);
    });
  }

  /** Deletes every orphan (or the named ones); returns what was removed. */
  async cleanUpOrphans(
    ctx: RequestContext,
    names?: string[],
  ): Promise<ServiceResult<Orphan[] | DryRun>> {
    const found = await this.orphans();
    if (!found.ok) return found;
    const chosen = names ? found.value.filter((o) => names.includes(o.name)) : found.value;
    if (ctx.dryRun) {
      const requests: DryRun['requests'] = [];
      for (const orphan of chosen) {
        const result = await this.delete(orphan.name, {
          ...ctx,
          requestId: `${ctx.requestId}-${orphan.name}`,
        });
        if (result.ok && 'dryRun' in result.value) requests.push(...result.value.requests);
      }
      return ok({ dryRun: true, requests });
    }
    const removed: Orphan[] = [];
    for (const orphan of chosen) {
      const result = await this.delete(orphan.name, {
        ...ctx,
        requestId: `${ctx.requestId}-${orphan.name}`,
      });
      if (result.ok) removed.push(orphan);
      else if (result.error.code !== 'NOT_FOUND') return result;
    }
    return ok(removed);
  }

  /** One pipeline with its declared parameters (for the create modal and the terminal questions). */
  async pipeline(nameOrArn: string): Promise<ServiceResult<Pipeline>> {
    return this.guard(() => this.loadPipeline(nameOrArn));
  }

  /** The pipelines a trigger can start, by name prefix (one page, for pickers and chat). */
  async pipelines(
    prefix?: string,
    nextToken?: string,
  ): Promise<ServiceResult<Page<PipelineSummary>>> {
    return this.guard(async () =>
      ok(
        await this.backend.pipelines.list({
          maxResults: 100,
          ...(prefix ? { namePrefix: prefix } : {}),
          ...(nextToken ? { nextToken } : {}),
        }),
      ),
    );
  }

  // -------------------------------------------------------------------------------------------

  private async setState(
    name: string,
    state: TriggerState,
    ctx: RequestContext,
  ): Promise<ServiceResult<TriggerListItem | DryRun>> {
    return this.guard(async () => {
      const found = await this.find(name);
      if (!found) return fail('NOT_FOUND', `no schedule or rule named ${name}`, 'name');
      if (found.kind === 'schedule') {
        // UpdateSchedule replaces everything: resend the whole schedule with the new state.
        const { arn: _arn, createdAt: _c, modifiedAt: _m, ...trigger } = found.record;
        const next: ScheduleTrigger = { ...trigger, state };
        const clientToken = tokenFor(ctx.requestId, `state-${state}`);
        if (ctx.dryRun) return ok(dryRun(this.backend.requests.updateSchedule(next, clientToken)));
        await this.backend.schedules.update(next, clientToken);
        await this.record('schedule', next, ctx, true);
        return ok({ ...listItem(found), state });
      }
      if (ctx.dryRun) return ok(dryRun(this.backend.requests.setRuleState(name, state)));
      await this.backend.rules.setState(name, state);
      const { arn: _arn, ...rule } = found.record;
      await this.record('event', { ...rule, state }, ctx, true);
      return ok({ ...listItem(found), state });
    });
  }

  private async buildSchedule(
    input: CreateScheduleInput,
    ctx: RequestContext,
  ): Promise<ServiceResult<ScheduleTrigger>> {
    const now = ctx.now ?? new Date();
    const ref = parsePipelineRef(input.pipeline);
    if (!ref.ok) return fail('INVALID_INPUT', ref.message, 'pipeline');
    const preview = previewSchedule({
      expression: input.expression,
      now,
      count: 1,
      ...(input.timeZone ? { timeZone: input.timeZone } : {}),
      ...(input.start ? { start: input.start } : {}),
      ...(input.end ? { end: input.end } : {}),
    });
    if (!preview.ok) {
      const field =
        preview.error.code === 'INVALID_TIME_ZONE'
          ? 'timeZone'
          : preview.error.code === 'INVALID_DATE_RANGE'
            ? preview.error.field
            : 'expression';
      return fail('INVALID_INPUT', preview.error.message, field);
    }
    const checks = commonChecks(input, ctx);
    if (checks) return checks;
    if (
      input.flexibleWindowMinutes !== undefined &&
      (!Number.isInteger(input.flexibleWindowMinutes) ||
        input.flexibleWindowMinutes < 1 ||
        input.flexibleWindowMinutes > 1440)
    ) {
      return fail(
        'INVALID_INPUT',
        `window: ${input.flexibleWindowMinutes} minutes is not allowed; the flexible window is 1-1440 minutes (or leave it out for exact times)`,
        'flexibleWindowMinutes',
      );
    }
    if (input.deadLetterArn !== undefined && !SQS_ARN.test(input.deadLetterArn)) {
      return fail(
        'INVALID_INPUT',
        `dead-letter queue: "${input.deadLetterArn}" is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>)`,
        'deadLetterArn',
      );
    }
    const retry = input.retryPolicy ?? DEFAULT_RETRY_POLICY;
    if (
      retry.maximumEventAgeSeconds < 60 ||
      retry.maximumEventAgeSeconds > 86_400 ||
      !Number.isInteger(retry.maximumEventAgeSeconds)
    ) {
      return fail(
        'INVALID_INPUT',
        'retry: the maximum event age is 60-86400 seconds',
        'retryPolicy',
      );
    }
    if (
      retry.maximumRetryAttempts < 0 ||
      retry.maximumRetryAttempts > 185 ||
      !Number.isInteger(retry.maximumRetryAttempts)
    ) {
      return fail('INVALID_INPUT', 'retry: the number of retries is 0-185', 'retryPolicy');
    }
    const pipeline = await this.loadPipeline(input.pipeline);
    if (!pipeline.ok) return pipeline;
    const parameters = input.parameters ?? [];
    const problems = checkParameterValues(pipeline.value.parameters, parameters, {
      pipelineName: pipeline.value.name,
    });
    if (problems.length > 0) return parameterFailure(problems);
    const expression = preview.preview.expression;
    const name = input.name ?? defaultName(pipeline.value.name, ctx.requestId);
    if (!TRIGGER_NAME.test(name)) {
      return fail(
        'INVALID_INPUT',
        `name: "${name}" must be 1-64 letters, digits, "-", "_" or "."`,
        'name',
      );
    }
    return ok({
      kind: 'schedule',
      name,
      group: this.group,
      pipelineArn: pipeline.value.arn,
      pipelineName: pipeline.value.name,
      expression: expression.text,
      timeZone: preview.preview.timeZone,
      ...(input.start && expression.kind !== 'at' ? { start: input.start } : {}),
      ...(input.end && expression.kind !== 'at' ? { end: input.end } : {}),
      ...(input.flexibleWindowMinutes !== undefined
        ? { flexibleWindowMinutes: input.flexibleWindowMinutes }
        : {}),
      state: input.state ?? 'ENABLED',
      roleArn: input.roleArn,
      parameters,
      ...(input.description ? { description: input.description } : {}),
      retryPolicy: retry,
      ...(input.deadLetterArn ? { deadLetterArn: input.deadLetterArn } : {}),
      deleteAfterCompletion: input.deleteAfterCompletion ?? expression.kind === 'at',
    });
  }

  private async buildEventTrigger(
    input: CreateEventTriggerInput,
    ctx: RequestContext,
  ): Promise<ServiceResult<EventTrigger>> {
    if (input.pipelines.length === 0)
      return fail('INVALID_INPUT', 'on-event needs at least one pipeline', 'pipelines');
    if (input.pipelines.length > MAX_RULE_TARGETS) {
      return fail(
        'INVALID_INPUT',
        `an EventBridge rule starts at most ${MAX_RULE_TARGETS} pipelines (one target each); got ${input.pipelines.length}`,
        'pipelines',
      );
    }
    const pattern = parseEventPattern(input.eventPattern);
    if (!pattern.ok)
      return fail('INVALID_INPUT', `event pattern: ${pattern.error.message}`, 'eventPattern');
    const checks = commonChecks(input, ctx);
    if (checks) return checks;
    const parameters = input.parameters ?? [];
    const targets: EventTrigger['targets'] = [];
    for (const name of input.pipelines) {
      const pipeline = await this.loadPipeline(name);
      if (!pipeline.ok) return pipeline;
      if (targets.some((t) => t.pipelineName.toLowerCase() === pipeline.value.name.toLowerCase())) {
        return fail(
          'INVALID_INPUT',
          `pipeline ${pipeline.value.name} is listed twice`,
          'pipelines',
        );
      }
      const problems = checkParameterValues(pipeline.value.parameters, parameters, {
        pipelineName: pipeline.value.name,
        allowDynamic: true,
      });
      if (problems.length > 0) return parameterFailure(problems);
      targets.push({
        id: pipeline.value.name,
        pipelineArn: pipeline.value.arn,
        pipelineName: pipeline.value.name,
        parameters,
      });
    }
    const name = input.name ?? defaultName(targets[0]?.pipelineName ?? 'event', ctx.requestId);
    if (!TRIGGER_NAME.test(name))
      return fail(
        'INVALID_INPUT',
        `name: "${name}" must be 1-64 letters, digits, "-", "_" or "."`,
        'name',
      );
    return ok({
      kind: 'event',
      name,
      eventPattern: JSON.stringify(pattern.pattern.source),
      state: input.state ?? 'ENABLED',
      roleArn: input.roleArn,
      ...(input.description ? { description: input.description } : {}),
      targets,
    });
  }

  private async loadPipeline(nameOrArn: string): Promise<ServiceResult<Pipeline>> {
    const ref = parsePipelineRef(nameOrArn);
    if (!ref.ok) return fail('INVALID_INPUT', ref.message, 'pipeline');
    try {
      return ok(await this.backend.pipelines.describe(ref.ref.arn ?? ref.ref.name));
    } catch (error) {
      if (isTriggerError(error, 'NOT_FOUND'))
        return fail('NOT_FOUND', `pipeline ${ref.ref.name} does not exist`, 'pipeline');
      throw error;
    }
  }

  private async pipelineExists(name: string): Promise<boolean> {
    try {
      await this.backend.pipelines.describe(name);
      return true;
    } catch (error) {
      if (isTriggerError(error, 'NOT_FOUND')) return false;
      throw error;
    }
  }

  private async find(
    name: string,
  ): Promise<
    { kind: 'schedule'; record: ScheduleRecord } | { kind: 'event'; record: RuleRecord } | undefined
  > {
    try {
      return { kind: 'schedule', record: await this.backend.schedules.get(this.group, name) };
    } catch (error) {
      if (!isTriggerError(error, 'NOT_FOUND')) throw error;
    }
    try {
      return { kind: 'event', record: await this.backend.rules.get(name) };
    } catch (error) {
      if (!isTriggerError(error, 'NOT_FOUND')) throw error;
    }
    return undefined;
  }

  private async exists(name: string): Promise<boolean> {
    return (await this.find(name)) !== undefined;
  }

  private async record(
    kind: 'schedule' | 'event',
    trigger: ScheduleTrigger | EventTrigger,
    ctx: RequestContext,
    keepAuthor = false,
  ): Promise<void> {
    const key = recordKey(kind, trigger);
    const previous = keepAuthor ? await this.store.triggerRecords.get(kind, key) : undefined;
    const now = ctx.now ?? new Date();
    const createdBy = previous?.createdBy ?? ctx.userId;
    const approvedBy = previous?.approvedBy ?? ctx.approvedBy;
    await this.store.triggerRecords.put({
      kind,
      key,
      pipelineNames:
        trigger.kind === 'schedule'
          ? [trigger.pipelineName]
          : trigger.targets.map((t) => t.pipelineName),
      spec: JSON.stringify(trigger),
      ...(createdBy ? { createdBy } : {}),
      ...(approvedBy ? { approvedBy } : {}),
      requestId: previous?.requestId ?? ctx.requestId,
      ...((previous?.channelId ?? ctx.channelId)
        ? { channelId: previous?.channelId ?? ctx.channelId }
        : {}),
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
    });
  }

  /** Turns adapter errors into values; anything unexpected propagates to the edge. */
  private async guard<R extends ServiceResult<unknown>>(
    work: () => Promise<R>,
  ): Promise<R | { ok: false; error: ServiceError }> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof TriggerError)
        return { ok: false, error: { code: error.code, message: error.message } };
      throw error;
    }
  }
}

type SerializedSchedule = Omit<ScheduleTrigger, 'start' | 'end'> & { start?: string; end?: string };

function commonChecks(
  input: { roleArn: string; description?: string },
  ctx: RequestContext,
): ServiceResult<never> | undefined {
  if (!ROLE_ARN.test(input.roleArn)) {
    return fail(
      'INVALID_INPUT',
      `role: "${input.roleArn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
      'roleArn',
    );
  }
  if (ctx.allowedRoles !== 'any' && !ctx.allowedRoles.includes(input.roleArn)) {
    return fail(
      'ROLE_NOT_ALLOWED',
      `role ${input.roleArn} is not one this pipeline may use; ask an admin or pick an allowed role`,
      'roleArn',
    );
  }
  if ((input.description ?? '').length > MAX_DESCRIPTION_LENGTH) {
    return fail(
      'INVALID_INPUT',
      `description: at most ${MAX_DESCRIPTION_LENGTH} characters`,
      'description',
    );
  }
  return undefined;
}

function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

function fail(
  code: ServiceErrorCode,
  message: string,
  field?: string,
): { ok: false; error: ServiceError } {
  return { ok: false, error: { code, message, ...(field ? { field } : {}) } };
}

function parameterFailure(problems: Array<{ name: string; message: string }>): {
  ok: false;
  error: ServiceError;
} {
  return {
    ok: false,
    error: {
      code: 'INVALID_INPUT',
      message: problems.map((p) => p.message).join('; '),
      field: 'parameters',
      problems: problems.map((p) => ({ field: `param:${p.name}`, message: p.message })),
    },
  };
}

/** A client token for one operation of one request: retries of the request reuse it. */
export function tokenFor(requestId: string, operation: string): string {
  return createHash('sha256').update(`${requestId}|${operation}`).digest('hex').slice(0, 64);
}

function defaultName(pipelineName: string, requestId: string): string {
  const suffix = createHash('sha256').update(requestId).digest('hex').slice(0, 6);
  return `${pipelineName.slice(0, 57)}-${suffix}`;
}

function recordKey(kind: 'schedule' | 'event', trigger: { name: string; group?: string }): string {
  return kind === 'schedule' ? `${trigger.group}/${trigger.name}` : trigger.name;
}

function attribution(
  recorded: { createdBy?: string; approvedBy?: string[]; createdAt: Date } | undefined,
): Attribution {
  if (!recorded) return {};
  return {
    ...(recorded.createdBy ? { createdBy: recorded.createdBy } : {}),
    ...(recorded.approvedBy ? { approvedBy: recorded.approvedBy } : {}),
    createdAt: recorded.createdAt,
  };
}

function listItem(
  found: { kind: 'schedule'; record: ScheduleRecord } | { kind: 'event'; record: RuleRecord },
): TriggerListItem {
  return found.kind === 'schedule'
    ? {
        kind: 'schedule',
        name: found.record.name,
        arn: found.record.arn,
        state: found.record.state,
        pipelineNames: [found.record.pipelineName],
      }
    : {
        kind: 'event',
        name: found.record.name,
        arn: found.record.arn,
        state: found.record.state,
        pipelineNames: found.record.targets.map((t) => t.pipelineName),
      };
}

/** What AWS holds that differs from what the bot last wrote. */
function scheduleDrift(recorded: SerializedSchedule, actual: ScheduleRecord): string[] {
  const drift: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const checks: Array<[string, unknown, unknown]> = [
    ['expression', recorded.expression, actual.expression],
    ['time zone', recorded.timeZone, actual.timeZone],
    ['state', recorded.state, actual.state],
    ['role', recorded.roleArn, actual.roleArn],
    ['parameters', sortParams(recorded.parameters), sortParams(actual.parameters)],
    ['start', recorded.start, actual.start?.toISOString()],
    ['end', recorded.end, actual.end?.toISOString()],
    ['flexible window', recorded.flexibleWindowMinutes, actual.flexibleWindowMinutes],
    ['target pipeline', recorded.pipelineArn.toLowerCase(), actual.pipelineArn.toLowerCase()],
    ['retry policy', recorded.retryPolicy, actual.retryPolicy],
    ['dead-letter queue', recorded.deadLetterArn, actual.deadLetterArn],
  ];
  for (const [field, before, after] of checks) if (!same(before, after)) drift.push(field);
  return drift;
}

function ruleDrift(recorded: EventTrigger, actual: RuleRecord): string[] {
  const drift: string[] = [];
  if (canonicalJson(recorded.eventPattern) !== canonicalJson(actual.eventPattern))
    drift.push('event pattern');
  if (recorded.state !== actual.state) drift.push('state');
  const targets = (t: EventTrigger['targets']) =>
    JSON.stringify(
      t.map((x) => ({ p: x.pipelineName.toLowerCase(), v: sortParams(x.parameters) })),
    );
  if (targets(recorded.targets) !== targets(actual.targets)) drift.push('targets');
  return drift;
}

function sortParams(parameters: ParameterValue[] | undefined): ParameterValue[] {
  return [...(parameters ?? [])].sort((a, b) => a.name.localeCompare(b.name));
}

function canonicalJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

function decodeListToken(
  token: string | undefined,
): ['schedules' | 'rules' | 'done', string | undefined] {
  if (!token) return ['schedules', undefined];
  const [phase, ...rest] = token.split(':');
  const inner = rest.join(':') || undefined;
  return [
    phase === 'r' ? 'rules' : 'schedules',
    inner ? Buffer.from(inner, 'base64url').toString() : undefined,
  ];
}

function encodeListToken(phase: 'schedules' | 'rules', token: string | undefined): string {
  return `${phase === 'rules' ? 'r' : 's'}:${token ? Buffer.from(token).toString('base64url') : ''}`;
}

function dryRun(requests: DryRun['requests']): DryRun {
  return { dryRun: true, requests };
}
