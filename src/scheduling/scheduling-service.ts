import { createHash } from 'node:crypto';
import { readRecordedRule, readRecordedSchedule, ruleDrift, scheduleDrift } from './drift.js';
import { isTriggerError, TriggerError, type TriggerErrorCode } from './errors.js';
import { previewStoredSchedule, type ScheduleWarning } from './expression/index.js';
import { noSchedulingMetrics, type SchedulingMetrics } from './metrics.js';
import { findOrphans, removeOrphans } from './orphans.js';
import {
  checkParameterValues,
  type ParameterValue,
  type Pipeline,
  type PipelineSummary,
} from './pipeline.js';
import type { Backend } from './ports.js';
import { fail, ok, parameterFailure, TriggerBuilder } from './trigger-builder.js';
import {
  type FoundTrigger,
  findTrigger,
  type ListQuery,
  listItem,
  listTriggers,
} from './trigger-listing.js';
import { attributionOf, TriggerRecorder } from './trigger-recorder.js';
import type { TriggerRecordRepository } from './trigger-records.js';
import {
  deadLetterWarnings,
  type ExecutionSummary,
  type Page,
  type RetryPolicy,
  type RuleRecord,
  type ScheduleRecord,
  type ScheduleTrigger,
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

/**
 * The use cases: create, describe, list, update, pause/resume, delete, run now, history, orphans.
 * Everything a person typed is checked before any call to AWS; expected failures come back as
 * values with a code and a sentence for that person.
 */
export class SchedulingService {
  private readonly builder: TriggerBuilder;
  private readonly records: TriggerRecorder;
  private readonly metrics: SchedulingMetrics;

  /**
   * `storage` is anything holding the trigger records (src/store's Store does); `metrics`
   * counts created and deleted triggers, nowhere by default.
   */
  constructor(
    private readonly backend: Backend,
    storage: { readonly triggerRecords: TriggerRecordRepository },
    private readonly options: { group: string; metrics?: SchedulingMetrics },
  ) {
    this.builder = new TriggerBuilder(backend.pipelines, options.group);
    this.records = new TriggerRecorder(storage.triggerRecords);
    this.metrics = options.metrics ?? noSchedulingMetrics;
  }

  get group(): string {
    return this.options.group;
  }

  async createSchedule(
    input: CreateScheduleInput,
    ctx: RequestContext,
  ): Promise<ServiceResult<ScheduleRecord | DryRun>> {
    return this.guard(async () => {
      const built = await this.builder.schedule(input, ctx);
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
      await this.records.record('schedule', schedule, ctx);
      this.metrics.triggerChanged('created', 'schedule');
      return ok(await this.backend.schedules.get(schedule.group, schedule.name));
    });
  }

  async createEventTrigger(
    input: CreateEventTriggerInput,
    ctx: RequestContext,
  ): Promise<ServiceResult<RuleRecord | DryRun>> {
    return this.guard(async () => {
      const built = await this.builder.eventTrigger(input, ctx);
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
      await this.records.record('event', rule, ctx);
      this.metrics.triggerChanged('created', 'event');
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
        const recorded = await this.records.get('schedule', trigger);
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
          attribution: attributionOf(recorded),
          drift: driftOf(recorded && readRecordedSchedule(recorded.spec), (r) =>
            scheduleDrift(r, trigger),
          ),
        });
      }
      const trigger = found.record;
      const exists: Record<string, boolean> = {};
      for (const target of trigger.targets)
        exists[target.pipelineName] = await this.pipelineExists(target.pipelineName);
      const recorded = await this.records.get('event', trigger);
      return ok({
        kind: 'event',
        trigger,
        pipelinesExist: exists,
        attribution: attributionOf(recorded),
        drift: driftOf(recorded && readRecordedRule(recorded.spec), (r) => ruleDrift(r, trigger)),
      });
    });
  }

  /** Schedules of the bot's group, then rules; `pipeline` keeps those that start it. */
  async list(query: ListQuery = {}): Promise<ServiceResult<Page<TriggerListItem>>> {
    return this.guard(async () => ok(await listTriggers(this.backend, this.group, query)));
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
      const built = await this.builder.schedule(merged, ctx);
      if (!built.ok) return built;
      const clientToken = tokenFor(ctx.requestId, 'update-schedule');
      if (ctx.dryRun)
        return ok(dryRun(this.backend.requests.updateSchedule(built.value, clientToken)));
      await this.backend.schedules.update(built.value, clientToken);
      await this.records.record('schedule', built.value, ctx);
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
        await this.records.delete('schedule', found.record);
      } else {
        if (ctx.dryRun) return ok(dryRun(this.backend.requests.deleteRule(found.record)));
        await this.backend.rules.delete(name);
        await this.records.delete('event', found.record);
      }
      this.metrics.triggerChanged('deleted', found.kind);
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
      const found = await this.builder.loadPipeline(pipeline);
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
      const found = await this.builder.loadPipeline(pipeline);
      if (!found.ok) return found;
      const page = await this.backend.pipelines.listExecutions(found.value.name, { maxResults });
      return ok(page.items);
    });
  }

  /** Triggers whose pipeline no longer exists: they would fail at every run. */
  async orphans(): Promise<ServiceResult<Orphan[]>> {
    return this.guard(() =>
      findOrphans({
        list: (query) => this.list(query),
        pipelineExists: (name) => this.pipelineExists(name),
      }),
    );
  }

  /** Deletes every orphan (or the named ones); returns what was removed. */
  async cleanUpOrphans(
    ctx: RequestContext,
    names?: string[],
  ): Promise<ServiceResult<Orphan[] | DryRun>> {
    return removeOrphans(this, ctx, names);
  }

  /** One pipeline with its declared parameters (for the create modal and the terminal questions). */
  async pipeline(nameOrArn: string): Promise<ServiceResult<Pipeline>> {
    return this.guard(() => this.builder.loadPipeline(nameOrArn));
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
        await this.records.record('schedule', next, ctx, true);
        return ok({ ...listItem(found), state });
      }
      if (ctx.dryRun) return ok(dryRun(this.backend.requests.setRuleState(name, state)));
      await this.backend.rules.setState(name, state);
      const { arn: _arn, ...rule } = found.record;
      await this.records.record('event', { ...rule, state }, ctx, true);
      return ok({ ...listItem(found), state });
    });
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

  private find(name: string): Promise<FoundTrigger | undefined> {
    return findTrigger(this.backend, this.group, name);
  }

  private async exists(name: string): Promise<boolean> {
    return (await this.find(name)) !== undefined;
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

/** A client token for one operation of one request: retries of the request reuse it. */
export function tokenFor(requestId: string, operation: string): string {
  return createHash('sha256').update(`${requestId}|${operation}`).digest('hex').slice(0, 64);
}

function dryRun(requests: DryRun['requests']): DryRun {
  return { dryRun: true, requests };
}

/** Drift against what the bot recorded; none when it recorded nothing readable. */
function driftOf<T>(recorded: T | undefined, compare: (recorded: T) => string[]): string[] {
  return recorded ? compare(recorded) : [];
}
