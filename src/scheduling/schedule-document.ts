import { type ParameterValue, PIPELINE_ARN, pipelineNameOf } from './pipeline.js';
import type { HeldDocument, RetryPolicy, ScheduleRecord, ScheduleTrigger } from './triggers.js';

/**
 * A schedule as EventBridge Scheduler holds it: the members of GetSchedule, CreateSchedule and
 * UpdateSchedule, dates as ISO text so the document is plain JSON (the local back end stores it,
 * dry runs print it). Both back ends keep the whole document of each schedule, and every write
 * starts from it: UpdateSchedule replaces the whole schedule, so a field the domain does not
 * model (KmsKeyArn, a target's Input, a field AWS adds later) that is not sent is lost, and a
 * field sent that was not there (a time zone, a retry policy) is a change nobody asked for.
 */

/** The universal target that starts a pipeline: its request is the target's Input. */
export const START_PIPELINE_UNIVERSAL_TARGET =
  'arn:aws:scheduler:::aws-sdk:sagemaker:startPipelineExecution';

/**
 * What GetSchedule is taken to mean for a target without a RetryPolicy: the 24 h / 185 attempts
 * quoted for Scheduler. Shown as the policy in force; never written back unless changed.
 */
export const SCHEDULER_DEFAULT_RETRY_POLICY: RetryPolicy = {
  maximumEventAgeSeconds: 86_400,
  maximumRetryAttempts: 185,
};

/** Members of GetSchedule that describe the resource, not what it does: never written. */
const READ_ONLY_MEMBERS = ['Arn', 'CreationDate', 'LastModificationDate', '$metadata'];

type Json = Record<string, unknown>;

/** What a schedule's target starts, from the target ARN alone (ListSchedules gives no more). */
export function scheduleTargetKind(targetArn: string): 'pipeline' | 'universal' | 'other' {
  if (PIPELINE_ARN.test(targetArn)) return 'pipeline';
  if (targetArn === START_PIPELINE_UNIVERSAL_TARGET) return 'universal';
  return 'other';
}

/**
 * The document to send for this schedule: the one it was read from with exactly the fields the
 * domain changed rewritten, or, for a schedule never read (a new one), the whole of it.
 */
export function scheduleDocument(schedule: ScheduleTrigger): HeldDocument {
  const encoded = encodeSchedule(schedule);
  if (!schedule.held) return encoded;
  return writeBack(schedule.held, encodeSchedule(readScheduleDocument(schedule.held)), encoded);
}

/**
 * A held document in the domain's terms. Lenient: whatever AWS left out reads as its default,
 * and the document rides along as `held`, so nothing is lost by reading.
 */
export function readScheduleDocument(
  document: HeldDocument,
  known: { group?: string; name?: string } = {},
): ScheduleTrigger {
  const target = objectOf(document.Target);
  const targetArn = stringOf(target.Arn);
  const kind = scheduleTargetKind(targetArn);
  const universal = kind === 'universal' ? universalRequest(target.Input) : undefined;
  const pipelineArn = universal ? universal.pipeline : targetArn;
  const window = objectOf(document.FlexibleTimeWindow);
  const retry = objectOf(target.RetryPolicy);
  const deadLetter = stringOf(objectOf(target.DeadLetterConfig).Arn);
  const description = stringOf(document.Description);
  const start = dateOf(document.StartDate);
  const end = dateOf(document.EndDate);
  const parameters =
    universal?.parameters ??
    listOf(objectOf(target.SageMakerPipelineParameters).PipelineParameterList).map(parameterOf);
  return {
    kind: 'schedule',
    name: stringOf(document.Name) || (known.name ?? ''),
    group: stringOf(document.GroupName) || (known.group ?? 'default'),
    pipelineArn,
    pipelineName: pipelineNameOf(pipelineArn),
    ...(kind === 'pipeline' ? {} : { targetKind: kind, targetArn }),
    expression: stringOf(document.ScheduleExpression),
    timeZone: stringOf(document.ScheduleExpressionTimezone) || 'UTC',
    ...(start ? { start } : {}),
    ...(end ? { end } : {}),
    ...(window.Mode === 'FLEXIBLE' && typeof window.MaximumWindowInMinutes === 'number'
      ? { flexibleWindowMinutes: window.MaximumWindowInMinutes }
      : {}),
    state: document.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    roleArn: stringOf(target.RoleArn),
    parameters,
    ...(description ? { description } : {}),
    retryPolicy: {
      maximumEventAgeSeconds:
        numberOf(retry.MaximumEventAgeInSeconds) ??
        SCHEDULER_DEFAULT_RETRY_POLICY.maximumEventAgeSeconds,
      maximumRetryAttempts:
        numberOf(retry.MaximumRetryAttempts) ?? SCHEDULER_DEFAULT_RETRY_POLICY.maximumRetryAttempts,
    },
    ...(deadLetter ? { deadLetterArn: deadLetter } : {}),
    deleteAfterCompletion: document.ActionAfterCompletion === 'DELETE',
    held: document,
  };
}

/** A record from a held document and what the back end says of the resource itself. */
export function scheduleRecordOf(
  document: HeldDocument,
  resource: { arn: string; createdAt?: Date; modifiedAt?: Date; group?: string; name?: string },
): ScheduleRecord {
  const { arn, createdAt, modifiedAt, ...known } = resource;
  return {
    ...readScheduleDocument(document, known),
    arn,
    ...(createdAt ? { createdAt } : {}),
    ...(modifiedAt ? { modifiedAt } : {}),
  };
}

/** A GetSchedule answer (SDK output or wire JSON) as a held document: read-only members out. */
export function heldScheduleDocument(output: object): HeldDocument {
  const document: Json = {};
  for (const [key, value] of Object.entries(output)) {
    if (READ_ONLY_MEMBERS.includes(key) || value === undefined) continue;
    document[key] = value instanceof Date ? value.toISOString() : value;
  }
  return document;
}

/** The schedule the domain describes, as a whole document (no client token). */
function encodeSchedule(s: ScheduleTrigger): Json {
  const parameters = s.parameters.map((p) => ({ Name: p.name, Value: p.value }));
  return {
    Name: s.name,
    GroupName: s.group,
    ScheduleExpression: s.expression,
    ScheduleExpressionTimezone: s.timeZone,
    ...(s.start ? { StartDate: s.start.toISOString() } : {}),
    ...(s.end ? { EndDate: s.end.toISOString() } : {}),
    FlexibleTimeWindow:
      s.flexibleWindowMinutes === undefined
        ? { Mode: 'OFF' }
        : { Mode: 'FLEXIBLE', MaximumWindowInMinutes: s.flexibleWindowMinutes },
    State: s.state,
    ...(s.description !== undefined ? { Description: s.description } : {}),
    ActionAfterCompletion: s.deleteAfterCompletion ? 'DELETE' : 'NONE',
    Target: {
      Arn: s.targetKind === undefined ? s.pipelineArn : (s.targetArn ?? ''),
      RoleArn: s.roleArn,
      // Always present, even empty (`{}`, as the SageMaker Python SDK sends it): the block is
      // what makes Scheduler treat the pipeline ARN as the SageMaker templated target.
      ...(s.targetKind === undefined
        ? {
            SageMakerPipelineParameters:
              parameters.length > 0 ? { PipelineParameterList: parameters } : {},
          }
        : {}),
      // Scheduler's own defaults are undocumented; a new schedule gets ours.
      RetryPolicy: {
        MaximumEventAgeInSeconds: s.retryPolicy.maximumEventAgeSeconds,
        MaximumRetryAttempts: s.retryPolicy.maximumRetryAttempts,
      },
      ...(s.deadLetterArn ? { DeadLetterConfig: { Arn: s.deadLetterArn } } : {}),
    },
  };
}

/**
 * `held` with every member whose encoding differs between `before` and `after` rewritten (or
 * removed), member by member inside objects: a changed window rewrites FlexibleTimeWindow, a
 * changed role rewrites Target.RoleArn and leaves Target.Input alone.
 */
export function writeBack(held: HeldDocument, before: Json, after: Json): Json {
  const result: Json = { ...held };
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = before[key];
    const now = after[key];
    if (sameJson(was, now)) continue;
    if (now === undefined) delete result[key];
    else if (isObject(was) && isObject(now) && isObject(held[key]))
      result[key] = writeBack(held[key] as Json, was, now);
    else result[key] = now;
  }
  return result;
}

function universalRequest(input: unknown): { pipeline: string; parameters: ParameterValue[] } {
  let request: Json = {};
  try {
    request = objectOf(typeof input === 'string' ? JSON.parse(input) : undefined);
  } catch {
    // Input that is not JSON starts no pipeline we can name; shown as it is.
  }
  return {
    pipeline: stringOf(request.PipelineName),
    parameters: listOf(request.PipelineParameters).map(parameterOf),
  };
}

export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    const otherKeys = Object.keys(b).filter((k) => b[k] !== undefined);
    return keys.length === otherKeys.length && keys.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectOf(value: unknown): Json {
  return isObject(value) ? value : {};
}

function listOf(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function dateOf(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const date = new Date(typeof value === 'number' ? value * 1000 : value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function parameterOf(p: Json): { name: string; value: string } {
  return { name: stringOf(p.Name), value: stringOf(p.Value) };
}
