import { createHash } from 'node:crypto';
import {
  attribute,
  type Candidate,
  ON_TIME_SLACK_MS,
  onePerOccurrence,
  type StartedBy,
} from './attribution.js';
import { closest } from './closest.js';
import {
  type Collision,
  collisionsWith,
  collisionWords,
  type PlannedSchedule,
} from './collisions.js';
import {
  readRecordedRule,
  readRecordedSchedule,
  recordedScheduleTrigger,
  ruleDrift,
  scheduleDrift,
} from './drift.js';
import { isTriggerError, TriggerError, type TriggerErrorCode } from './errors.js';
import { parseEventPattern } from './events/event-pattern/index.js';
import type { ExecutionOriginRepository } from './execution-origins.js';
import {
  parseExpression,
  previewSchedule,
  previewStoredSchedule,
  type ScheduleWarning,
  skippedByDaylightSaving,
} from './expression/index.js';
import { noSchedulingMetrics, type SchedulingMetrics } from './metrics.js';
import { findOrphans, type Orphan, removeOrphans } from './orphans.js';
import {
  checkParameterValues,
  type ParameterValue,
  type Pipeline,
  type PipelineSummary,
  pipelineNameOf,
} from './pipeline.js';
import type { Backend } from './ports.js';
import {
  type Provenance,
  provenanceFromRecord,
  ruleProvenance,
  scheduleProvenance,
} from './provenance.js';
import { roleCheckWords } from './role-check.js';
import { scheduleTargetKind } from './schedule-document.js';
import {
  dueOccurrences,
  MISSED_GRACE_MS,
  missedAfter,
  retriesUntil,
  type Tick,
  type TickRepository,
} from './ticks.js';
import { fail, ok, parameterFailure, roleRefusal, TriggerBuilder } from './trigger-builder.js';
import {
  type FieldChange,
  mergeParameters,
  ruleChanges,
  scheduleChanges,
  type TriggerChanges,
} from './trigger-changes.js';
import {
  DEFAULT_WATCH,
  type FoundTrigger,
  findTriggers,
  identityOf,
  type ListQuery,
  listItem,
  listTriggers,
  placesOf,
  refOf,
  startsAnyPipeline,
  type TriggerIdentity,
  type TriggerListItem,
  type WatchScope,
} from './trigger-listing.js';
import { attributionOf, TriggerRecorder } from './trigger-recorder.js';
import type { TriggerRecord, TriggerRecordRepository } from './trigger-records.js';
import {
  checkDescription,
  checkRoleArn,
  eventPatternProblem,
  MAX_FLEXIBLE_WINDOW_MINUTES,
} from './trigger-rules.js';
import {
  DEFAULT_EVENT_BUS,
  deadLetterWarnings,
  type Execution,
  type ExecutionSummary,
  type Page,
  type RetryPolicy,
  type RuleRecord,
  type RuleTarget,
  type ScheduleRecord,
  type ScheduleSummary,
  type ScheduleTrigger,
  startsPipeline,
  type TriggerState,
} from './triggers.js';

/** Who is asking, and under which request: the request id makes every change idempotent. */
interface AttributionContext {
  candidates: Candidate[];
  defaults: ParameterValue[];
}

/** How far back a missed run may still turn out to have started late (the longest retry age). */
const LATE_LOOKBACK_MS = 25 * 3600_000;
/** How a missed run's reason starts when it quotes the dead-letter event. */
const GAVE_UP = 'Scheduler gave up';
/** Why a paused schedule's runs are skipped, as its ticks say it. */
const PAUSED = 'the schedule is paused';

/**
 * The executions of a pipeline in a time range, for one watch pass: listed once per pipeline
 * (newest first, as far back as asked), each described once.
 */
class ExecutionLookup {
  private readonly listed = new Map<string, { since: number; items: ExecutionSummary[] }>();
  private readonly described = new Map<string, Execution>();

  constructor(private readonly pipelines: Backend['pipelines']) {}

  async startedBetween(pipelineName: string, from: Date, until: Date): Promise<Execution[]> {
    const summaries = await this.listSince(pipelineName, from.getTime());
    const out: Execution[] = [];
    for (const s of summaries) {
      const t = s.startTime.getTime();
      if (t < from.getTime() || t > until.getTime()) continue;
      let e = this.described.get(s.arn);
      if (!e) {
        e = await this.pipelines.describeExecution(s.arn);
        this.described.set(s.arn, e);
      }
      out.push(e);
    }
    return out;
  }

  private async listSince(pipelineName: string, since: number): Promise<ExecutionSummary[]> {
    const key = pipelineName.toLowerCase();
    const held = this.listed.get(key);
    if (held && held.since <= since) return held.items;
    const items: ExecutionSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.pipelines.listExecutions(pipelineName, {
        maxResults: 100,
        ...(nextToken ? { nextToken } : {}),
      });
      items.push(...page.items);
      const oldest = page.items.at(-1)?.startTime.getTime();
      nextToken = oldest !== undefined && oldest >= since ? page.nextToken : undefined;
    } while (nextToken);
    this.listed.set(key, { since, items });
    return items;
  }
}

/** How long the triggers of a pipeline are reused for attribution. */
const CANDIDATE_CACHE_MS = 60_000;

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
  /** `refuse`: a schedule that would collide with another trigger of its pipeline is refused. */
  collisions?: 'warn' | 'refuse';
  /** `refuse`: a trigger whose execution role fails the role check is refused. */
  roleCheck?: 'warn' | 'refuse';
}

export type ServiceErrorCode =
  | TriggerErrorCode
  | 'INVALID_INPUT'
  | 'ROLE_NOT_ALLOWED'
  | 'ROLE_UNUSABLE';

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

interface DescribedTrigger {
  /** How a command names it: the bare name in the bot's own places, else `place/name`. */
  ref: string;
  /** Who made it: the bot (with the request), the SageMaker SDK (inferred), CloudFormation, … */
  provenance: Provenance;
}

export interface ScheduleDescription extends DescribedTrigger {
  kind: 'schedule';
  trigger: ScheduleRecord;
  description: string;
  nextRuns: Date[];
  warnings: ScheduleWarning[];
  pipelineExists: boolean;
  attribution: Attribution;
  /** Fields that AWS holds differently from what the bot last wrote; empty when in step. */
  drift: string[];
  /** Its latest runs and what became of each, newest first (`ticks` lists more). */
  recentRuns: Tick[];
}

/** How many of a schedule's latest runs describe shows. */
const DESCRIBED_RUNS = 5;
/**
 * How many recent executions of each of a rule's pipelines are looked at for its runs: a few
 * times the runs asked for (each one not the bot's own costs a DescribeExecution), within these.
 */
const MIN_RULE_RUNS_SCANNED = 20;
const RULE_RUNS_SCANNED = 100;

export interface EventTriggerDescription extends DescribedTrigger {
  kind: 'event';
  trigger: RuleRecord;
  /** For a rule on a schedule: its meaning and next runs (rules run in UTC). */
  schedule?: { description: string; nextRuns: Date[] };
  pipelinesExist: Record<string, boolean>;
  attribution: Attribution;
  drift: string[];
  /** The executions attribution ties to the rule, newest first. */
  recentRuns: Tick[];
}

export type TriggerDescription = ScheduleDescription | EventTriggerDescription;

export type { Collision, Orphan, TriggerListItem, WatchScope };

/**
 * An update as the person and the approver see it: the trigger before, as it is (or would be)
 * after, and what changed; a dry run also carries the requests it would send.
 */
export type TriggerUpdate = (
  | { kind: 'schedule'; before: ScheduleRecord; after: ScheduleTrigger }
  | { kind: 'event'; before: RuleRecord; after: RuleRecord }
) & {
  ref: string;
  changes: FieldChange[];
  dryRun?: true;
  requests?: DryRun['requests'];
};

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
/** Whether an instant is within a schedule's start and end, and after it was last written. */
function runsAt(record: ScheduleRecord, instant: Date): boolean {
  const written = record.modifiedAt ?? record.createdAt;
  if (written && instant < written) return false;
  if (record.start && instant < record.start) return false;
  return !record.end || instant <= record.end;
}

/** A schedule the watch looks at; `gone` when only the bot's record of it is left. */
interface WatchedSchedule {
  ref: string;
  found: Extract<FoundTrigger, { kind: 'schedule' }>;
  gone?: boolean;
}

/** A schedule as the bot recorded it, for the watch; undefined for a record it cannot read. */
function scheduleFromRecord(
  recorded: TriggerRecord,
): Extract<FoundTrigger, { kind: 'schedule' }> | undefined {
  const trigger = recordedScheduleTrigger(recorded.spec);
  if (!trigger) return undefined;
  const record: ScheduleRecord = {
    ...trigger,
    arn: recorded.arn ?? '',
    createdAt: recorded.createdAt,
    modifiedAt: recorded.updatedAt,
  };
  return { kind: 'schedule', record };
}

export class SchedulingService {
  private readonly origins: ExecutionOriginRepository | undefined;
  private readonly ticks: TickRepository | undefined;
  private readonly candidateCache = new Map<
    string,
    { until: number; context: AttributionContext }
  >();

  /** What the watch read of each enabled schedule, by ARN, with its LastModificationDate. */
  private readonly watchedSchedules = new Map<
    string,
    { modifiedAt: number; record: ScheduleRecord }
  >();

  private readonly defaultsCache = new Map<string, { until: number; defaults: ParameterValue[] }>();

  private readonly builder: TriggerBuilder;
  private readonly records: TriggerRecorder;
  private readonly metrics: SchedulingMetrics;

  /**
   * `storage` is anything holding the trigger records (src/store's Store does); `metrics`
   * counts created and deleted triggers, nowhere by default; `watch` is where the bot looks
   * besides its own group (the default group and bus unless told).
   */
  constructor(
    private readonly backend: Backend,
    storage: {
      readonly triggerRecords: TriggerRecordRepository;
      readonly executionOrigins?: ExecutionOriginRepository;
      readonly ticks?: TickRepository;
    },
    private readonly options: {
      group: string;
      watch?: WatchScope;
      metrics?: SchedulingMetrics;
      /** After its window, how long a run has to start before it counts as missed. */
      missedGraceMs?: number;
      /** The dead-letter queue new schedules get when none is named (the bot reads it). */
      deadLetterArn?: string;
    },
  ) {
    this.builder = new TriggerBuilder(backend.pipelines, options.group);
    this.records = new TriggerRecorder(storage.triggerRecords);
    this.origins = storage.executionOrigins;
    this.ticks = storage.ticks;
    this.metrics = options.metrics ?? noSchedulingMetrics;
  }

  get group(): string {
    return this.options.group;
  }

  get watch(): WatchScope {
    return this.options.watch ?? DEFAULT_WATCH;
  }

  async createSchedule(
    input: CreateScheduleInput,
    ctx: RequestContext,
  ): Promise<ServiceResult<ScheduleRecord | DryRun>> {
    return this.guard(async () => {
      // The group's dead-letter queue unless the person named one: a failed run can then say why.
      const deadLetterArn = input.deadLetterArn ?? this.options.deadLetterArn;
      const built = await this.builder.schedule(
        deadLetterArn ? { ...input, deadLetterArn } : input,
        ctx,
      );
      if (!built.ok) return built;
      const schedule = built.value;
      const refused = await this.roleRefused(
        { roleArn: schedule.roleArn, kind: 'schedule', pipelines: [schedule.pipelineName] },
        ctx,
      );
      if (refused) return refused;
      if (ctx.collisions === 'refuse') {
        const found = await this.collisionsOf(schedule, ctx.now ?? new Date());
        const first = found[0];
        if (first)
          return fail(
            'CONFLICT',
            `${collisionWords(first, schedule)}; the access policy refuses collisions (collisions: refuse)`,
            'expression',
          );
      }
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
      const created = await this.backend.schedules.create(schedule, clientToken);
      await this.records.record('schedule', schedule, ctx, false, created.arn);
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
      const refused = await this.roleRefused(
        {
          roleArn: input.roleArn,
          kind: 'event',
          pipelines: rule.targets.map((t) => t.pipelineName),
        },
        ctx,
      );
      if (refused) return refused;
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

  /** A schedule or rule by name (`group/name`, `bus/name` outside the bot's own places). */
  async describe(ref: string, now = new Date()): Promise<ServiceResult<TriggerDescription>> {
    return this.guard(async () => {
      const found = await this.resolve(ref);
      if (!found.ok) return found;
      const common = {
        ref: refOf(found.value, this.group),
        provenance: await this.provenanceOf(identityOf(found.value)),
      };
      if (found.value.kind === 'schedule') {
        const trigger = found.value.record;
        // Counted as the local engine fires them (a rate() from its creation second), so the
        // runs listed are the runs that happen.
        const preview = previewStoredSchedule(trigger, { now, count: 5 });
        const recorded = await this.records.get('schedule', trigger);
        return ok({
          kind: 'schedule',
          ...common,
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
          recentRuns:
            (await this.ticks?.recent(`${trigger.group}/${trigger.name}`, DESCRIBED_RUNS)) ?? [],
        });
      }
      const trigger = found.value.record;
      const exists: Record<string, boolean> = {};
      for (const target of trigger.targets)
        exists[target.pipelineName] = await this.pipelineExists(target.pipelineName);
      const recorded =
        trigger.bus === DEFAULT_EVENT_BUS ? await this.records.get('event', trigger) : undefined;
      const schedule = trigger.scheduleExpression
        ? ruleSchedule(trigger.scheduleExpression, trigger.state, now)
        : undefined;
      return ok({
        kind: 'event',
        ...common,
        trigger,
        ...(schedule ? { schedule } : {}),
        pipelinesExist: exists,
        attribution: attributionOf(recorded),
        drift: driftOf(recorded && readRecordedRule(recorded.spec), (r) => ruleDrift(r, trigger)),
        recentRuns: await this.ruleRuns(trigger, common.ref, DESCRIBED_RUNS),
      });
    });
  }

  /**
   * The bot's own schedules, those of the groups it watches, then the rules of the default bus
   * and the buses it watches; `pipeline` keeps those that start it.
   */
  async list(query: ListQuery = {}): Promise<ServiceResult<Page<TriggerListItem>>> {
    return this.guard(async () => ok(await listTriggers(this.scope(), query)));
  }

  /**
   * Changes a trigger in place: read it whole, lay the changes over, check the result as a
   * create is checked, write it back whole. What the bot does not model goes back as it was
   * (a schedule's held document; a rule's own fields, its targets' settings, its other targets).
   */
  async updateTrigger(
    ref: string,
    changes: TriggerChanges,
    ctx: RequestContext,
  ): Promise<ServiceResult<TriggerUpdate>> {
    return this.guard(async () => {
      const found = await this.resolve(ref);
      if (!found.ok) return found;
      const name = refOf(found.value, this.group);
      const planned =
        found.value.kind === 'schedule'
          ? await this.plannedSchedule(name, found.value.record, changes, ctx)
          : await this.plannedRule(name, found.value.record, changes, ctx);
      if (!planned.ok) return planned;
      const update = planned.value;
      if (update.changes.length === 0)
        return fail('INVALID_INPUT', `${name} is already like that: the update changes nothing`);
      const kind = update.kind;
      const refused = await this.roleRefused(
        {
          roleArn: update.after.roleArn,
          kind,
          pipelines:
            update.kind === 'schedule'
              ? [update.after.pipelineName]
              : update.after.targets.map((t) => t.pipelineName),
        },
        changes.roleArn !== undefined ? ctx : { ...ctx, roleCheck: 'warn' },
      );
      if (refused) return refused;
      if (update.kind === 'schedule') {
        const retimed = [changes.expression, changes.timeZone, changes.start, changes.end].some(
          (c) => c !== undefined,
        );
        if (retimed && ctx.collisions === 'refuse') {
          const [first] = await this.collisionsOf(update.after, ctx.now ?? new Date(), name);
          if (first)
            return fail(
              'CONFLICT',
              `${collisionWords(first, update.after)}; the access policy refuses collisions (collisions: refuse)`,
              'expression',
            );
        }
        const clientToken = tokenFor(ctx.requestId, 'update-schedule');
        if (ctx.dryRun)
          return ok({
            ...update,
            dryRun: true as const,
            requests: this.backend.requests.updateSchedule(update.after, clientToken),
          });
        await this.backend.schedules.update(update.after, clientToken);
        await this.records.record('schedule', update.after, ctx, true);
        this.metrics.triggerChanged('updated', 'schedule');
        const written = await this.backend.schedules.get(update.after.group, update.after.name);
        return ok({ ...update, after: written });
      }
      if (ctx.dryRun)
        return ok({
          ...update,
          dryRun: true as const,
          requests: this.backend.requests.updateRule(update.after),
        });
      await this.backend.rules.update(update.after);
      if (update.after.bus === DEFAULT_EVENT_BUS)
        await this.records.record('event', update.after, ctx, true);
      this.metrics.triggerChanged('updated', 'event');
      return ok({
        ...update,
        after: await this.backend.rules.get(update.after.name, update.after.bus),
      });
    });
  }

  /** The schedule an update would write, checked as a create is; nothing is sent. */
  private async plannedSchedule(
    ref: string,
    current: ScheduleRecord,
    changes: TriggerChanges,
    ctx: RequestContext,
  ): Promise<ServiceResult<TriggerUpdate & { kind: 'schedule' }>> {
    if (changes.eventPattern !== undefined)
      return fail(
        'INVALID_INPUT',
        `${ref} is a schedule: an event pattern belongs to a rule`,
        'eventPattern',
      );
    if (!startsPipeline(current))
      return fail(
        'INVALID_INPUT',
        `${ref} starts no pipeline (its target is ${current.targetArn ?? 'not a pipeline'}); the bot changes only triggers that start pipelines`,
      );
    if (current.targetKind === 'universal' && (changes.parameters || changes.unsetParameters))
      return fail(
        'INVALID_INPUT',
        `${ref} starts its pipeline through Scheduler's universal target; change its parameters where it was made`,
        'parameters',
      );
    const expression = changes.expression ?? current.expression;
    const start = changes.start === undefined ? current.start : (changes.start ?? undefined);
    const end = changes.end === undefined ? current.end : (changes.end ?? undefined);
    const window =
      changes.flexibleWindowMinutes === undefined
        ? current.flexibleWindowMinutes
        : (changes.flexibleWindowMinutes ?? undefined);
    const description = changes.description ?? current.description;
    const deadLetterArn =
      changes.deadLetterArn === undefined
        ? current.deadLetterArn
        : (changes.deadLetterArn ?? undefined);
    const merged: CreateScheduleInput = {
      pipeline: current.pipelineArn,
      expression,
      name: current.name,
      timeZone: changes.timeZone ?? current.timeZone,
      roleArn: changes.roleArn ?? current.roleArn,
      state: current.state,
      parameters: mergeParameters(current.parameters, changes.parameters, changes.unsetParameters),
      retryPolicy: { ...current.retryPolicy, ...changes.retryPolicy },
      // A new expression decides again whether the schedule removes itself once it has run.
      ...(changes.expression === undefined
        ? { deleteAfterCompletion: current.deleteAfterCompletion }
        : {}),
      ...(start ? { start } : {}),
      ...(end ? { end } : {}),
      ...(window !== undefined ? { flexibleWindowMinutes: window } : {}),
      ...(description ? { description } : {}),
      ...(deadLetterArn ? { deadLetterArn } : {}),
    };
    // The role it already has is not the person's choice: only a new one is checked against
    // the roles the policy lets them pass.
    const built = await this.builder.schedule(
      merged,
      changes.roleArn !== undefined ? ctx : { ...ctx, allowedRoles: 'any' },
    );
    if (!built.ok) return built;
    const after: ScheduleTrigger = {
      ...built.value,
      group: current.group,
      ...(current.targetKind ? { targetKind: current.targetKind } : {}),
      ...(current.targetArn ? { targetArn: current.targetArn } : {}),
      ...(current.held ? { held: current.held } : {}),
    };
    return ok({
      kind: 'schedule',
      ref,
      before: current,
      after,
      changes: scheduleChanges(current, after),
    });
  }

  /** The rule an update would write, checked as on-event checks one; nothing is sent. */
  private async plannedRule(
    ref: string,
    current: RuleRecord,
    changes: TriggerChanges,
    ctx: RequestContext,
  ): Promise<ServiceResult<TriggerUpdate & { kind: 'event' }>> {
    const scheduleOnly = (
      [
        ['expression', changes.expression],
        ['tz', changes.timeZone],
        ['start', changes.start],
        ['end', changes.end],
        ['window', changes.flexibleWindowMinutes],
        ['retries or max-age', changes.retryPolicy],
        ['dlq', changes.deadLetterArn],
      ] as const
    ).find(([, value]) => value !== undefined);
    if (scheduleOnly)
      return fail(
        'INVALID_INPUT',
        `${ref} is a rule: ${scheduleOnly[0]} belongs to schedules; a rule changes its pattern, role, description and parameters`,
        scheduleOnly[0],
      );
    if (current.managedBy)
      return fail(
        'INVALID_INPUT',
        `${ref} is managed by ${current.managedBy}; change it there, EventBridge refuses others`,
      );
    if (changes.eventPattern !== undefined && current.scheduleExpression && !current.eventPattern)
      return fail(
        'INVALID_INPUT',
        `${ref} runs on a schedule (${current.scheduleExpression}), not on events: it has no pattern to change`,
        'eventPattern',
      );
    const roleArn = changes.roleArn ?? current.roleArn;
    let eventPattern = current.eventPattern;
    if (changes.eventPattern !== undefined) {
      const parsed = parseEventPattern(changes.eventPattern);
      if (!parsed.ok) {
        const problem = eventPatternProblem(parsed.error);
        return fail('INVALID_INPUT', problem.message, problem.field);
      }
      eventPattern = JSON.stringify(parsed.pattern.source);
    }
    const problem =
      (changes.roleArn !== undefined ? checkRoleArn(changes.roleArn) : undefined) ??
      (changes.description !== undefined ? checkDescription(changes.description) : undefined);
    if (problem) return fail('INVALID_INPUT', problem.message, problem.field);
    if (changes.roleArn !== undefined) {
      const refused = roleRefusal(roleArn, ctx);
      if (refused) return refused;
    }
    const targets: RuleTarget[] = [];
    for (const target of current.targets) {
      const parameters = mergeParameters(
        target.parameters,
        changes.parameters,
        changes.unsetParameters,
      );
      if (changes.parameters || changes.unsetParameters) {
        const checked = await this.builder.targetParameters(target.pipelineArn, parameters);
        if (!checked.ok) return checked;
      }
      targets.push({ ...target, parameters });
    }
    const description = changes.description ?? current.description;
    const after: RuleRecord = {
      ...current,
      eventPattern,
      roleArn,
      targets,
    };
    if (description) after.description = description;
    else delete after.description;
    return ok({ kind: 'event', ref, before: current, after, changes: ruleChanges(current, after) });
  }

  async pause(ref: string, ctx: RequestContext): Promise<ServiceResult<TriggerListItem | DryRun>> {
    return this.setState(ref, 'DISABLED', ctx);
  }

  async resume(ref: string, ctx: RequestContext): Promise<ServiceResult<TriggerListItem | DryRun>> {
    return this.setState(ref, 'ENABLED', ctx);
  }

  async delete(ref: string, ctx: RequestContext): Promise<ServiceResult<TriggerListItem | DryRun>> {
    return this.guard(async () => {
      const found = await this.resolve(ref);
      if (!found.ok) return found;
      const item = await listItem(found.value, this.scope());
      if (found.value.kind === 'schedule') {
        const { group, name } = found.value.record;
        const clientToken = tokenFor(ctx.requestId, 'delete-schedule');
        if (ctx.dryRun)
          return ok(dryRun(this.backend.requests.deleteSchedule(group, name, clientToken)));
        await this.backend.schedules.delete(group, name, clientToken);
        await this.records.delete('schedule', found.value.record);
      } else {
        const rule = found.value.record;
        // Every target goes, the ones that are not pipelines too: a rule with targets left
        // cannot be deleted.
        const ids = [...rule.targets, ...rule.otherTargets].map((t) => t.id);
        if (ctx.dryRun) return ok(dryRun(this.backend.requests.deleteRule(rule, ids)));
        await this.backend.rules.delete(rule.name, rule.bus);
        if (rule.bus === DEFAULT_EVENT_BUS) await this.records.delete('event', rule);
      }
      this.metrics.triggerChanged('deleted', found.value.kind);
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
      const started = await this.backend.pipelines.start(request);
      // Certain attribution for what the bot starts itself; a lost record only makes it a match.
      await this.origins
        ?.put({
          executionArn: started.executionArn,
          pipelineName: found.value.name,
          startedBy: {
            kind: 'run',
            requestId: ctx.requestId,
            ...(ctx.userId ? { userId: ctx.userId } : {}),
            ...(ctx.approvedBy?.length ? { approvedBy: ctx.approvedBy } : {}),
            ...(ctx.channelId ? { channelId: ctx.channelId } : {}),
          },
          at: new Date(),
        })
        .catch(() => undefined);
      return ok(started);
    });
  }

  /** The recent executions of a pipeline, newest first, each with what started it. */
  async history(
    pipeline: string,
    maxResults = 10,
  ): Promise<ServiceResult<Array<ExecutionSummary & { startedBy: StartedBy }>>> {
    return this.guard(async () => {
      const found = await this.builder.loadPipeline(pipeline);
      if (!found.ok) return found;
      const page = await this.backend.pipelines.listExecutions(found.value.name, { maxResults });
      const items = [];
      for (const summary of page.items)
        items.push({
          ...summary,
          startedBy: await this.startedBy(summary.arn).catch(
            (): StartedBy => ({ kind: 'unknown' }),
          ),
        });
      return ok(onePerOccurrence(items));
    });
  }

  /**
   * What started an execution: the bot's own record of a run, else the trigger whose pipeline,
   * parameters and occurrence window fit (attribution.ts), else "outside the bot". Rejects when
   * the back end does not answer, so that a caller asks again later instead of keeping a wrong
   * "outside" (the notifier asks on the next event).
   */
  async startedBy(executionArn: string): Promise<StartedBy> {
    const origin = await this.origins?.get(executionArn);
    if (origin) return origin.startedBy;
    const execution = await this.backend.pipelines.describeExecution(executionArn);
    const pipelineName = pipelineNameOf(execution.pipelineArn);
    const { candidates, defaults } = await this.attributionContext(pipelineName);
    return attribute(
      {
        pipelineName,
        startTime: execution.startTime,
        parameters: execution.parameters,
        defaults,
        ...(execution.startedByIdentity ? { startedByIdentity: execution.startedByIdentity } : {}),
      },
      candidates,
    );
  }

  /**
   * One look for missed runs, for the leader to make every minute or so: every enabled schedule
   * the bot can see, each occurrence whose deadline (window + grace) fell in (from, to], is
   * recorded as a tick — started, or missed with its probable cause — and a missed run that a
   * retry has since started becomes "late". Returns the ticks that are new misses or newly
   * late: what a channel must be told, once (a tick is recorded once per occurrence, whatever
   * restarts or replicas do).
   */
  async watchRuns(from: Date, to: Date): Promise<ServiceResult<Tick[]>> {
    return this.guard(async () => {
      if (!this.ticks) return ok([]);
      const tell: Tick[] = [];
      const executions = new ExecutionLookup(this.backend.pipelines);
      const listed = await this.everySchedule();
      const watched = [
        ...listed.watched,
        ...(await this.selfDeletedSchedules(from, to, listed.keys)),
      ];
      for (const { ref, found, gone } of watched) {
        const record = found.record;
        await this.recordSkipped(ref, record, from, to);
        if (record.state !== 'ENABLED') continue;
        const candidate = { ref, found };
        for (const occurrence of dueOccurrences(
          record,
          from.getTime(),
          to.getTime(),
          this.options.missedGraceMs,
        )) {
          const key = `${record.group}/${record.name}`;
          if (await this.ticks.get(key, occurrence)) continue;
          const started = await this.startedFor(candidate, occurrence, executions);
          const tick: Tick = {
            triggerKey: key,
            ref,
            pipelineName: record.pipelineName,
            occurrence,
            timeZone: record.timeZone,
            outcome: started ? 'started' : 'missed',
            ...(started
              ? { executionArn: started }
              : { reason: await this.missedReason(record, occurrence, gone) }),
            recordedAt: to,
            updatedAt: to,
          };
          if ((await this.ticks.insert(tick)) && tick.outcome === 'missed') tell.push(tick);
        }
      }
      // A retry within the retry policy may still start a run reported missed.
      for (const missed of await this.ticks.missedSince(
        new Date(to.getTime() - LATE_LOOKBACK_MS),
      )) {
        const resolved = await this.resolve(missed.ref, { suggest: false });
        const found =
          resolved.ok && resolved.value.kind === 'schedule'
            ? resolved.value
            : await this.selfDeletedSchedule(missed.triggerKey);
        if (found?.kind !== 'schedule') continue;
        const started = await this.startedFor(
          { ref: missed.ref, found },
          missed.occurrence,
          executions,
        );
        if (!started) {
          // The dead-letter event comes once the retries are spent, maybe hours after the
          // miss was told: the message is then told again, with the error.
          if (missed.reason?.startsWith(GAVE_UP)) continue;
          const letter = await this.deadLetterReason(found.record, missed.occurrence);
          if (!letter) continue;
          const { told: _told, ...untold } = missed;
          const explained: Tick = { ...untold, reason: letter, updatedAt: to };
          await this.ticks.update(explained);
          tell.push(explained);
          continue;
        }
        const late: Tick = { ...missed, outcome: 'late', executionArn: started, updatedAt: to };
        await this.ticks.update(late);
        tell.push(late);
      }
      return ok(tell);
    });
  }

  /**
   * The runs that should not happen, for the history: the runs a paused schedule would have
   * made, and each cron run daylight saving removes. Recorded once, as told (no channel hears
   * of a skip).
   */
  private async recordSkipped(ref: string, record: ScheduleRecord, from: Date, to: Date) {
    if (!this.ticks) return;
    const grace = this.options.missedGraceMs ?? MISSED_GRACE_MS;
    if (record.state === 'DISABLED') {
      // Counted as if it ran, from when it was paused (its last write) on.
      const runs = dueOccurrences(
        { ...record, state: 'ENABLED' },
        from.getTime(),
        to.getTime(),
        grace,
      );
      await this.recordPausedStretch(ref, record, runs, to);
      return;
    }
    const parsed = parseExpression(record.expression);
    if (!parsed.ok) return;
    const lag = missedAfter(record, 0, grace);
    for (const run of skippedByDaylightSaving(parsed.expression, {
      from: new Date(from.getTime() - lag),
      to: new Date(to.getTime() - lag),
      timeZone: record.timeZone,
    })) {
      if (!runsAt(record, run.instant)) continue;
      await this.ticks.insert({
        triggerKey: `${record.group}/${record.name}`,
        ref,
        pipelineName: record.pipelineName,
        occurrence: run.instant,
        timeZone: record.timeZone,
        outcome: 'skipped',
        reason: `${run.wall.slice(11)} does not exist that day: clocks in ${record.timeZone} jump from ${run.clockFrom} to ${run.clockTo}, and Scheduler skips the run`,
        wallTime: run.wall,
        recordedAt: to,
        updatedAt: to,
        told: 'skipped',
      });
    }
  }

  /**
   * A paused schedule's skipped runs, as one tick per stretch: the watch's latest look extends
   * the stretch its last look began (a paused rate(1 minute) is one row, not 1,440 a day), and a
   * run a look already counted is not counted again.
   */
  private async recordPausedStretch(
    ref: string,
    record: ScheduleRecord,
    runs: Date[],
    to: Date,
  ): Promise<void> {
    const ticks = this.ticks;
    if (!ticks || runs.length === 0) return;
    const triggerKey = `${record.group}/${record.name}`;
    const [latest] = await ticks.recent(triggerKey, 1);
    // A look that overlaps an earlier one (a new leader looks back) counts only what is newer
    // than every tick recorded, whatever became of those runs.
    const last = latest
      ? (latest.through ?? latest.occurrence).getTime()
      : Number.NEGATIVE_INFINITY;
    const added = runs.filter((run) => run.getTime() > last);
    if (added.length === 0) return;
    // The same pause goes on only if the schedule has not been written since it began: a
    // resume and a new pause between two looks start a stretch of their own.
    const samePause =
      latest?.outcome === 'skipped' &&
      latest.reason === PAUSED &&
      record.modifiedAt !== undefined &&
      record.modifiedAt.getTime() <= latest.occurrence.getTime();
    if (latest && samePause) {
      await ticks.update({
        ...latest,
        through: added.at(-1) ?? latest.occurrence,
        runs: (latest.runs ?? 1) + added.length,
        updatedAt: to,
      });
      return;
    }
    const [first] = added;
    const through = added.at(-1);
    if (!first || !through) return;
    await ticks.insert({
      triggerKey,
      ref,
      pipelineName: record.pipelineName,
      occurrence: first,
      ...(added.length > 1 ? { through, runs: added.length } : {}),
      timeZone: record.timeZone,
      outcome: 'skipped',
      reason: PAUSED,
      recordedAt: to,
      updatedAt: to,
      told: 'skipped',
    });
  }

  /** A schedule's recent ticks, newest first (describe, App Home, `ticks`). */
  async ticksOf(ref: string, count = 10): Promise<ServiceResult<Tick[]>> {
    return this.guard(async () => {
      const found = await this.resolve(ref);
      if (!found.ok) return found;
      if (found.value.kind !== 'schedule')
        return ok(await this.ruleRuns(found.value.record, refOf(found.value, this.group), count));
      const { group, name } = found.value.record;
      return ok((await this.ticks?.recent(`${group}/${name}`, count)) ?? []);
    });
  }

  /**
   * A rule's recent runs, newest first: the executions of its pipelines that attribution ties to
   * it, as ticks (a rule has no occurrences to miss, so each is "started"). What the rule matched
   * without starting anything is not seen: AWS counts it only in CloudWatch metrics.
   */
  private async ruleRuns(rule: RuleRecord, ref: string, count: number): Promise<Tick[]> {
    const runs: Tick[] = [];
    for (const pipelineName of new Set(rule.targets.map((t) => t.pipelineName))) {
      const page = await this.backend.pipelines
        .listExecutions(pipelineName, {
          maxResults: Math.min(RULE_RUNS_SCANNED, Math.max(MIN_RULE_RUNS_SCANNED, count * 4)),
        })
        .catch((error: unknown) => {
          // A target whose pipeline is gone started nothing lately.
          if (isTriggerError(error, 'NOT_FOUND')) return { items: [] };
          throw error;
        });
      for (const summary of page.items) {
        const by = await this.startedBy(summary.arn).catch(() => undefined);
        if (by?.kind !== 'rule' || by.ref !== ref) continue;
        runs.push({
          triggerKey: rule.name,
          ref,
          pipelineName,
          occurrence: by.occurrence ? new Date(by.occurrence) : summary.startTime,
          timeZone: 'UTC',
          outcome: 'started',
          executionArn: summary.arn,
          ...(by.occurrence ? {} : { byEvent: true }),
          recordedAt: summary.startTime,
          updatedAt: summary.startTime,
        });
      }
    }
    return runs.sort((a, b) => b.occurrence.getTime() - a.occurrence.getTime()).slice(0, count);
  }

  /**
   * Every schedule the bot can see that starts a pipeline, in full (a paused one too: its runs
   * are recorded as skipped). One read before is read again only when ListSchedules says it
   * changed (its LastModificationDate), so a steady watch costs the listing and little more.
   */
  private async everySchedule(): Promise<{
    watched: WatchedSchedule[];
    /** `group/name` of every schedule listed, paused or not. */
    keys: Set<string>;
  }> {
    const found: WatchedSchedule[] = [];
    const seen = new Set<string>();
    const keys = new Set<string>();
    for (const place of await placesOf(this.scope())) {
      if (place.kind !== 'schedules') continue;
      let nextToken: string | undefined;
      do {
        const page = await this.backend.schedules
          .list({ group: place.group, maxResults: 100, ...(nextToken ? { nextToken } : {}) })
          .catch((error: unknown) => {
            // A watched group that does not exist (yet) has nothing due.
            if (isTriggerError(error, 'NOT_FOUND')) return { items: [], nextToken: undefined };
            throw error;
          });
        for (const summary of page.items) {
          keys.add(`${summary.group}/${summary.name}`);
          if (scheduleTargetKind(summary.targetArn) === 'other') continue;
          seen.add(summary.arn);
          const record = await this.watchedSchedule(place.group, summary);
          if (!record || record.targetKind === 'other') continue;
          const trigger = { kind: 'schedule' as const, record };
          found.push({ ref: refOf(trigger, this.group), found: trigger });
        }
        nextToken = page.nextToken;
      } while (nextToken);
    }
    for (const arn of this.watchedSchedules.keys())
      if (!seen.has(arn)) this.watchedSchedules.delete(arn);
    return { watched: found, keys };
  }

  /**
   * The bot's one-time schedules whose run is due now but that AWS no longer lists: Scheduler
   * deletes an at() schedule with ActionAfterCompletion DELETE once it has run, failed or not,
   * so only the bot's record of it can tell whether the run started.
   */
  private async selfDeletedSchedules(
    from: Date,
    to: Date,
    listed: Set<string>,
  ): Promise<WatchedSchedule[]> {
    const lag =
      MAX_FLEXIBLE_WINDOW_MINUTES * 60_000 + (this.options.missedGraceMs ?? MISSED_GRACE_MS);
    const due = await this.records.runningOnceBetween(new Date(from.getTime() - lag), to);
    const gone: WatchedSchedule[] = [];
    for (const recorded of due) {
      if (recorded.kind !== 'schedule' || listed.has(recorded.key)) continue;
      const found = scheduleFromRecord(recorded);
      if (found) gone.push({ ref: refOf(found, this.group), found, gone: true });
    }
    return gone;
  }

  /** A one-time schedule that deleted itself, from the bot's record of it. */
  private async selfDeletedSchedule(
    key: string,
  ): Promise<Extract<FoundTrigger, { kind: 'schedule' }> | undefined> {
    const slash = key.indexOf('/');
    const recorded = await this.records.get('schedule', {
      group: key.slice(0, slash),
      name: key.slice(slash + 1),
    });
    return recorded?.runsOnceAt ? scheduleFromRecord(recorded) : undefined;
  }

  /** A schedule as the watch last read it, or read again when it changed since. */
  private async watchedSchedule(
    group: string,
    summary: ScheduleSummary,
  ): Promise<ScheduleRecord | undefined> {
    const cached = this.watchedSchedules.get(summary.arn);
    const modified = summary.modifiedAt?.getTime();
    if (cached && modified !== undefined && cached.modifiedAt === modified) return cached.record;
    let record: ScheduleRecord;
    try {
      record = await this.backend.schedules.get(group, summary.name);
    } catch (error) {
      if (isTriggerError(error, 'NOT_FOUND')) return undefined;
      throw error;
    }
    if (modified !== undefined)
      this.watchedSchedules.set(summary.arn, { modifiedAt: modified, record });
    return record;
  }

  /** The execution this schedule started for this occurrence, if one did. */
  private async startedFor(
    candidate: Candidate & { found: Extract<FoundTrigger, { kind: 'schedule' }> },
    occurrence: Date,
    executions: ExecutionLookup,
  ): Promise<string | undefined> {
    const record = candidate.found.record;
    const until = retriesUntil(record, occurrence.getTime()) + ON_TIME_SLACK_MS;
    const started = await executions
      .startedBetween(record.pipelineName, occurrence, new Date(until))
      // A pipeline that is gone started nothing (the miss's reason says so).
      .catch((error: unknown) => {
        if (isTriggerError(error, 'NOT_FOUND')) return [];
        throw error;
      });
    // The watch matches against this one schedule: it needs the pipeline's defaults, not the
    // listing of every trigger that attribution of an execution message needs.
    const defaults = started.length ? await this.pipelineDefaults(record.pipelineName) : [];
    for (const execution of started) {
      const origin = await this.origins?.get(execution.arn).catch(() => undefined);
      if (origin) continue;
      const by = attribute(
        {
          pipelineName: record.pipelineName,
          startTime: execution.startTime,
          parameters: execution.parameters,
          defaults,
        },
        [candidate],
      );
      if (by.kind === 'schedule' && by.occurrence === occurrence.toISOString())
        return execution.arn;
    }
    return undefined;
  }

  /** What Scheduler's dead-letter event for this run says, quoted, when there is one. */
  private async deadLetterReason(
    record: ScheduleRecord,
    occurrence: Date,
  ): Promise<string | undefined> {
    const letter = await this.backend.deadLetters?.find(record, occurrence).catch(() => undefined);
    if (!letter) return undefined;
    const retries =
      letter.retryAttempts !== undefined ? ` after ${letter.retryAttempts} retries` : '';
    return `${GAVE_UP}${retries}: ${letter.errorCode ? `${letter.errorCode}: ` : ''}${letter.errorMessage}`;
  }

  /** Why an occurrence did not start its pipeline, as exactly as the bot can tell. */
  private async missedReason(
    record: ScheduleRecord,
    occurrence: Date,
    gone = false,
  ): Promise<string> {
    // The orphan first: it is the cause whatever the dead-letter event's wording.
    if (!(await this.pipelineExists(record.pipelineName).catch(() => true)))
      return gone
        ? `the pipeline ${record.pipelineName} no longer exists`
        : `the pipeline ${record.pipelineName} no longer exists (an orphan: \`orphans clean\` removes the schedule)`;
    const letter = await this.deadLetterReason(record, occurrence);
    if (letter) return letter;
    if (gone)
      return record.deadLetterArn
        ? 'no execution started, Scheduler has deleted the one-time schedule since, and its dead-letter queue holds no event for this run yet'
        : 'no execution started and Scheduler has deleted the one-time schedule since; it had no dead-letter queue to say why (see the AWS/Scheduler TargetErrorCount metric)';
    return record.deadLetterArn
      ? 'no execution started and its dead-letter queue holds no event for this run yet'
      : 'no execution started; the schedule has no dead-letter queue to say why (set one with dlq=, or see the AWS/Scheduler TargetErrorCount metric)';
  }

  /**
   * Triggers whose pipeline no longer exists, target by target, wherever the bot looks: they
   * would fail at every run.
   */
  async orphans(): Promise<ServiceResult<Orphan[]>> {
    return this.guard(async () =>
      ok(
        await findOrphans({
          backend: this.backend,
          places: () => this.scopePlaces(),
          pipelineExists: (name) => this.pipelineExists(name),
          describe: (found) => this.orphanContext(found),
        }),
      ),
    );
  }

  /**
   * Removes exactly what is dead: a dead schedule; the dead targets of a rule, the rule itself
   * only when nothing would be left and the bot made it, or when `deleteRules` names it.
   */
  async cleanUpOrphans(
    ctx: RequestContext,
    options: { names?: string[]; deleteRules?: string[] } = {},
  ): Promise<ServiceResult<Orphan[] | DryRun>> {
    return this.guard(async () => {
      const found = await this.orphans();
      if (!found.ok) return found;
      return ok(
        await removeOrphans(
          {
            backend: this.backend,
            forget: (orphan) =>
              orphan.kind === 'schedule'
                ? this.records.delete('schedule', { name: orphan.name, group: orphan.place })
                : this.records.delete('event', { name: orphan.name }),
            counted: (kind) => this.metrics.triggerChanged('deleted', kind),
          },
          found.value,
          { ...ctx, clientToken: (what) => tokenFor(ctx.requestId, what) },
          options,
        ),
      );
    });
  }

  /**
   * Brings a schedule made elsewhere under the bot: the identical schedule in the bot's group
   * (its whole document, so what the bot does not model comes along too), then the original
   * deleted. The role must be one this caller may pass, as for any create.
   */
  async adopt(
    ref: string,
    options: { name?: string },
    ctx: RequestContext,
  ): Promise<ServiceResult<{ from: TriggerListItem; schedule: ScheduleRecord } | DryRun>> {
    return this.guard(async () => {
      const found = await this.resolve(ref);
      if (!found.ok) return found;
      if (found.value.kind !== 'schedule')
        return fail('INVALID_INPUT', `${ref} is a rule; adopt takes a schedule`, 'name');
      const original = found.value.record;
      if (original.group === this.group)
        return fail('INVALID_INPUT', `${ref} is already in the bot's group ${this.group}`, 'name');
      if (original.targetKind === 'universal')
        return fail(
          'INVALID_INPUT',
          `${ref} starts its pipeline through Scheduler's universal target; recreate it with create instead`,
          'name',
        );
      const name = options.name ?? original.name;
      const built = await this.builder.schedule(
        {
          pipeline: original.pipelineArn,
          expression: original.expression,
          name,
          timeZone: original.timeZone,
          roleArn: original.roleArn,
          state: original.state,
          parameters: original.parameters,
          retryPolicy: original.retryPolicy,
          deleteAfterCompletion: original.deleteAfterCompletion,
          ...(original.start ? { start: original.start } : {}),
          ...(original.end ? { end: original.end } : {}),
          ...(original.flexibleWindowMinutes !== undefined
            ? { flexibleWindowMinutes: original.flexibleWindowMinutes }
            : {}),
          ...(original.description !== undefined ? { description: original.description } : {}),
          ...(original.deadLetterArn !== undefined
            ? { deadLetterArn: original.deadLetterArn }
            : {}),
        },
        // A start in the past is what the original already has, not a mistake to refuse.
        {
          ...ctx,
          now:
            original.start && original.start < (ctx.now ?? new Date())
              ? original.start
              : (ctx.now ?? new Date()),
        },
      );
      if (!built.ok) return built;
      const refused = await this.roleRefused(
        { roleArn: original.roleArn, kind: 'schedule', pipelines: [original.pipelineName] },
        ctx,
      );
      if (refused) return refused;
      const copy: ScheduleTrigger = {
        ...built.value,
        ...(original.held ? { held: { ...original.held, Name: name, GroupName: this.group } } : {}),
      };
      const from = await listItem(found.value, this.scope());
      const createToken = tokenFor(ctx.requestId, 'adopt-create');
      const deleteToken = tokenFor(ctx.requestId, 'adopt-delete');
      if (ctx.dryRun)
        return ok(
          dryRun([
            ...this.backend.requests.createSchedule(copy, createToken),
            ...this.backend.requests.deleteSchedule(original.group, original.name, deleteToken),
          ]),
        );
      if (await this.exists(name))
        return fail(
          'ALREADY_EXISTS',
          `a trigger named ${name} already exists in the bot's group; adopt ${ref} name=…`,
          'name',
        );
      await this.backend.schedules.ensureGroup(this.group);
      const created = await this.backend.schedules.create(copy, createToken);
      await this.records.record('schedule', copy, ctx, false, created.arn);
      this.metrics.triggerChanged('created', 'schedule');
      try {
        await this.backend.schedules.delete(original.group, original.name, deleteToken);
      } catch (error) {
        if (!isTriggerError(error, 'NOT_FOUND')) {
          // Both exist now and both would run: say so, and how to finish.
          const reason = error instanceof Error ? error.message : String(error);
          return fail(
            'UNAVAILABLE',
            `created ${this.group}/${name}, but deleting the original ${ref} failed (${reason}): both run until you delete ${ref}`,
          );
        }
      }
      return ok({ from, schedule: await this.backend.schedules.get(this.group, name) });
    });
  }

  /**
   * What is wrong with an execution role for these pipelines, as warnings: Scheduler (or, for a
   * rule, EventBridge) may not assume it, or it may not start a pipeline. Nothing when it passes,
   * when the back end cannot check, or when a pipeline cannot be found (creating says so).
   */
  async roleWarnings(input: {
    roleArn: string;
    kind: 'schedule' | 'event';
    pipelines: string[];
  }): Promise<ScheduleWarning[]> {
    const roles = this.backend.roles;
    if (!roles) return [];
    const problems = new Set<string>();
    for (const name of input.pipelines) {
      const pipeline = await this.builder.loadPipeline(name);
      if (!pipeline.ok) continue;
      const check = await roles
        .check({
          roleArn: input.roleArn,
          user: input.kind === 'schedule' ? 'scheduler.amazonaws.com' : 'events.amazonaws.com',
          pipelineArn: pipeline.value.arn,
          scheduleGroup: this.group,
        })
        .catch(() => undefined);
      const words = check && roleCheckWords(input.roleArn, check);
      if (words)
        problems.add(input.pipelines.length > 1 ? `${words} (${pipeline.value.name})` : words);
    }
    return [...problems].map((message) => ({ code: 'ROLE_CHECK' as const, message }));
  }

  /** The access policy's `roleCheck: refuse`: a role that fails the check is not used. */
  private async roleRefused(
    input: { roleArn: string; kind: 'schedule' | 'event'; pipelines: string[] },
    ctx: RequestContext,
  ): Promise<ServiceResult<never> | undefined> {
    if (ctx.roleCheck !== 'refuse') return undefined;
    const [first] = await this.roleWarnings(input);
    return first
      ? fail(
          'ROLE_UNUSABLE',
          `${first.message}; the access policy refuses roles that fail the check (roleCheck: refuse)`,
          'role',
        )
      : undefined;
  }

  /**
   * The triggers that already start this pipeline at the same times (or, in the default group,
   * under the same name): what a new schedule would run twice with.
   */
  async collisions(
    input: Pick<
      CreateScheduleInput,
      'pipeline' | 'expression' | 'name' | 'timeZone' | 'start' | 'end'
    >,
    now = new Date(),
    /** The trigger being changed, which would otherwise collide with itself. */
    excluding?: string,
  ): Promise<ServiceResult<Array<Collision & { words: string }>>> {
    return this.guard(async () => {
      const pipelineName = pipelineNameOf(input.pipeline);
      const planned: PlannedSchedule = {
        pipelineName,
        expression: input.expression,
        ...(input.name ? { name: input.name } : {}),
        ...(input.timeZone ? { timeZone: input.timeZone } : {}),
        ...(input.start ? { start: input.start } : {}),
        ...(input.end ? { end: input.end } : {}),
      };
      const found = await this.collisionsOf(planned, now, excluding);
      return ok(found.map((c) => ({ ...c, words: collisionWords(c, planned) })));
    });
  }

  /** Who made a trigger, for the policy (triggers made elsewhere) and the audit. */
  async provenanceOf(trigger: TriggerIdentity): Promise<Provenance> {
    if (trigger.kind === 'schedule') {
      const record = await this.records.get('schedule', trigger);
      if (record) return provenanceFromRecord(record);
      return scheduleProvenance(trigger.held);
    }
    const record =
      trigger.bus === DEFAULT_EVENT_BUS ? await this.records.get('event', trigger) : undefined;
    if (record) return provenanceFromRecord(record);
    return ruleProvenance({
      ...(trigger.managedBy ? { managedBy: trigger.managedBy } : {}),
      tags: await this.backend.rules.tags(trigger.arn, trigger.name).catch((error: unknown) => {
        // Without events:ListTagsForResource the rule is still shown, its maker unknown.
        if (isTriggerError(error)) return {};
        throw error;
      }),
    });
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

  private async collisionsOf(
    planned: PlannedSchedule,
    now: Date,
    excluding?: string,
  ): Promise<Collision[]> {
    const others = (await this.triggersStarting(planned.pipelineName)).filter(
      (t) => t.item.ref !== excluding,
    );
    return collisionsWith(planned, others, now);
  }

  /** Every trigger in every watched place that starts this pipeline, in full. */
  private async triggersStarting(
    pipelineName: string,
  ): Promise<Array<{ item: TriggerListItem; found: FoundTrigger }>> {
    const found: Array<{ item: TriggerListItem; found: FoundTrigger }> = [];
    let nextToken: string | undefined;
    do {
      const page = await listTriggers(this.scope(), {
        pipeline: pipelineName,
        maxResults: 100,
        ...(nextToken ? { nextToken } : {}),
      });
      for (const item of page.items) {
        const resolved = await this.resolve(item.ref, { suggest: false });
        if (resolved.ok) found.push({ item, found: resolved.value });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return found;
  }

  /**
   * The triggers an execution of this pipeline may have come from, and the pipeline's default
   * values (an execution reports every value it used), looked up once a minute per pipeline at
   * most: a burst of execution events asks once.
   */
  private async attributionContext(pipelineName: string): Promise<AttributionContext> {
    const key = pipelineName.toLowerCase();
    const cached = this.candidateCache.get(key);
    const now = Date.now();
    if (cached && cached.until > now) return cached.context;
    const context: AttributionContext = {
      candidates: (await this.triggersStarting(pipelineName)).map(({ item, found }) => ({
        ref: item.ref,
        found,
      })),
      defaults: await this.pipelineDefaults(pipelineName),
    };
    this.candidateCache.set(key, { until: now + CANDIDATE_CACHE_MS, context });
    return context;
  }

  /** The values a pipeline's parameters take when a run passes none (DescribePipeline, cached). */
  private async pipelineDefaults(pipelineName: string): Promise<ParameterValue[]> {
    const key = pipelineName.toLowerCase();
    const cached = this.defaultsCache.get(key);
    if (cached && cached.until > Date.now()) return cached.defaults;
    const pipeline = await this.builder.loadPipeline(pipelineName);
    const defaults = pipeline.ok
      ? pipeline.value.parameters.flatMap((p) =>
          p.defaultValue !== undefined ? [{ name: p.name, value: p.defaultValue }] : [],
        )
      : [];
    this.defaultsCache.set(key, { until: Date.now() + CANDIDATE_CACHE_MS, defaults });
    return defaults;
  }

  private scope() {
    return {
      backend: this.backend,
      group: this.group,
      watch: this.watch,
      provenanceOf: (trigger: TriggerIdentity) => this.provenanceOf(trigger),
    };
  }

  private scopePlaces() {
    return placesOf({ backend: this.backend, group: this.group, watch: this.watch });
  }

  private async orphanContext(found: FoundTrigger) {
    return {
      ref: refOf(found, this.group),
      provenance: await this.provenanceOf(identityOf(found)),
    };
  }

  /**
   * The one trigger a name means, or why there is none: not found, several (say which), or a
   * trigger that starts no pipeline (a Lambda schedule: not the bot's business).
   */
  private async resolve(
    ref: string,
    // A person's typo gets the closest name; the service's own lookups (the watch, attribution)
    // must not pay a listing for it.
    { suggest = true } = {},
  ): Promise<ServiceResult<FoundTrigger>> {
    const found = await findTriggers(
      { backend: this.backend, group: this.group, watch: this.watch },
      ref,
    );
    const pipelines = found.filter(startsAnyPipeline);
    if (pipelines.length === 1) return ok(pipelines[0] as FoundTrigger);
    if (pipelines.length > 1) {
      const refs = pipelines.map((f) => refOf(f, this.group));
      return fail(
        'INVALID_INPUT',
        `${ref} is ambiguous: it names ${refs.join(' and ')}; say which, e.g. ${refs[0]}`,
        'name',
      );
    }
    const other = found[0];
    if (other) {
      const target =
        other.kind === 'schedule'
          ? (other.record.targetArn ?? other.record.pipelineArn)
          : other.record.otherTargets.map((t) => t.arn).join(', ');
      return fail(
        'INVALID_INPUT',
        `${refOf(other, this.group)} starts ${target || 'nothing'}, not a SageMaker pipeline: the bot leaves it alone`,
        'name',
      );
    }
    const guess = suggest ? await this.closestTrigger(ref) : undefined;
    return fail(
      'NOT_FOUND',
      `no schedule or rule named ${ref}${guess ? ` (did you mean ${guess}?)` : ''}`,
      'name',
    );
  }

  /** The trigger a misspelt name most likely means, among the first page the bot lists. */
  private async closestTrigger(ref: string): Promise<string | undefined> {
    const page = await listTriggers(this.scope(), { maxResults: 100 }).catch(() => ({
      items: [] as TriggerListItem[],
    }));
    const refs = page.items.map((item) => item.ref);
    return (
      closest(ref, refs) ??
      closest(
        ref,
        refs.map((r) => r.split('/').at(-1) ?? r),
      )
    );
  }

  private async setState(
    ref: string,
    state: TriggerState,
    ctx: RequestContext,
  ): Promise<ServiceResult<TriggerListItem | DryRun>> {
    return this.guard(async () => {
      const found = await this.resolve(ref);
      if (!found.ok) return found;
      const item = await listItem(found.value, this.scope());
      if (found.value.kind === 'schedule') {
        // UpdateSchedule replaces everything: the held document goes back with State changed.
        const { arn: _arn, createdAt: _c, modifiedAt: _m, ...trigger } = found.value.record;
        const next: ScheduleTrigger = { ...trigger, state };
        const clientToken = tokenFor(ctx.requestId, `state-${state}`);
        if (ctx.dryRun) return ok(dryRun(this.backend.requests.updateSchedule(next, clientToken)));
        await this.backend.schedules.update(next, clientToken);
        if (item.provenance.source === 'bot')
          await this.records.record('schedule', next, ctx, true);
        return ok({ ...item, state });
      }
      const rule = found.value.record;
      if (ctx.dryRun)
        return ok(dryRun(this.backend.requests.setRuleState(rule.name, state, rule.bus)));
      await this.backend.rules.setState(rule.name, state, rule.bus);
      if (item.provenance.source === 'bot') {
        const { arn: _arn, ...recorded } = rule;
        await this.records.record('event', { ...recorded, state }, ctx, true);
      }
      return ok({ ...item, state });
    });
  }

  private async pipelineExists(name: string): Promise<boolean> {
    if (!name) return false;
    try {
      await this.backend.pipelines.describe(name);
      return true;
    } catch (error) {
      if (isTriggerError(error, 'NOT_FOUND')) return false;
      // A pipeline the bot may not describe (outside its IAM pattern) is not proven gone:
      // never call it an orphan, never clean it up.
      if (isTriggerError(error, 'ACCESS_DENIED')) return true;
      throw error;
    }
  }

  /** Whether the name is taken where the bot creates: its group, the default bus. */
  private async exists(name: string): Promise<boolean> {
    const found = await findTriggers(
      { backend: this.backend, group: this.group, watch: { scheduleGroups: [], eventBuses: [] } },
      name,
    );
    return found.some((f) =>
      f.kind === 'event' ? f.record.bus === DEFAULT_EVENT_BUS : f.record.group === this.group,
    );
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

/** What a rule on a schedule does and when it runs next: rules run in UTC. */
function ruleSchedule(
  expression: string,
  state: TriggerState,
  now: Date,
): { description: string; nextRuns: Date[] } {
  const preview = previewSchedule({ expression, dialect: 'rules', now, count: 5 });
  if (!preview.ok) return { description: `${expression} (${preview.error.message})`, nextRuns: [] };
  return {
    description: preview.preview.description,
    nextRuns: state === 'ENABLED' ? preview.preview.occurrences : [],
  };
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
