import {
  type CompiledPattern,
  type PatternError,
  parseEventPattern,
} from './events/event-pattern/index.js';
import {
  type PreviewResult,
  previewSchedule,
  type ScheduleInputError,
  type SchedulePreview,
} from './expression/index.js';
import type { RetryPolicy } from './triggers.js';

/**
 * What a valid trigger is, in one place: the service, the Slack modal, the terminal's
 * questions and the CLI all check what a person typed here, so the same mistake reads the same
 * everywhere. Pure: no back end, no pipeline lookups (those stay in the service). The limits
 * are EventBridge Scheduler's and EventBridge's own; the local back end enforces the same ones.
 */

/** Trigger names: Scheduler schedules and EventBridge rules share the alphabet and length. */
export const MAX_TRIGGER_NAME_LENGTH = 64;
export const TRIGGER_NAME = new RegExp(`^[0-9a-zA-Z\\-_.]{1,${MAX_TRIGGER_NAME_LENGTH}}$`);
/** Scheduler's flexible window (MaximumWindowInMinutes). */
export const MIN_FLEXIBLE_WINDOW_MINUTES = 1;
export const MAX_FLEXIBLE_WINDOW_MINUTES = 1440;
/** Scheduler's retry policy (MaximumEventAgeInSeconds, MaximumRetryAttempts). */
export const MIN_EVENT_AGE_SECONDS = 60;
export const MAX_EVENT_AGE_SECONDS = 86_400;
export const MAX_RETRY_ATTEMPTS = 185;
export const MAX_DESCRIPTION_LENGTH = 512;
/** EventBridge's limit of targets per rule: one pipeline each. */
export const MAX_RULE_TARGETS = 5;
/**
 * Every partition (aws, aws-cn, aws-us-gov, aws-iso-b); a path of up to 512 characters plus a
 * name of up to 64, as IAM allows.
 */
export const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,576}$/;
export const SQS_ARN = /^arn:aws(-[a-z]+)*:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9\-_]+$/;

/** The input a problem is about, named as the service's input names it. */
export type TriggerField =
  | 'expression'
  | 'timeZone'
  | 'start'
  | 'end'
  | 'flexibleWindowMinutes'
  | 'retryPolicy'
  | 'deadLetterArn'
  | 'roleArn'
  | 'name'
  | 'description'
  | 'eventPattern'
  | 'pipelines';

export interface TriggerProblem {
  field: TriggerField;
  /** One sentence for the person, naming the input ("window: …"). */
  message: string;
}

export type TextRead<T> = { ok: true; value: T } | { ok: false; problem: TriggerProblem };

/** What a schedule is checked on; every field but the expression may be absent. */
export interface ScheduleRulesInput {
  expression: string;
  timeZone?: string;
  start?: Date;
  end?: Date;
  /** When the check is made: an at() in the past, an end before now. */
  now: Date;
  name?: string;
  roleArn?: string;
  description?: string;
  flexibleWindowMinutes?: number;
  deadLetterArn?: string;
  retryPolicy?: RetryPolicy;
}

export interface EventRulesInput {
  /** How many pipelines the rule starts. */
  pipelineCount: number;
  eventPattern: string;
  name?: string;
  roleArn?: string;
  description?: string;
}

/** Every problem found, in the order a form shows them; or what the service writes. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problems: TriggerProblem[] };

/**
 * Every problem with a schedule; none: its preview (the expression as normalised, the zone the
 * service stores).
 */
export function checkSchedule(input: ScheduleRulesInput): Checked<SchedulePreview> {
  const result: PreviewResult = previewSchedule({
    expression: input.expression,
    now: input.now,
    count: 1,
    ...(input.timeZone ? { timeZone: input.timeZone } : {}),
    ...(input.start ? { start: input.start } : {}),
    ...(input.end ? { end: input.end } : {}),
  });
  const problems = [
    ...(result.ok ? [] : [scheduleInputProblem(result.error)]),
    ...checkCommon(input),
    ...optional(input.flexibleWindowMinutes, checkFlexibleWindow),
    ...optional(input.deadLetterArn, checkDeadLetterArn),
    ...optional(input.retryPolicy, checkRetryPolicy),
  ];
  if (problems.length > 0 || !result.ok) return { ok: false, problems };
  return { ok: true, value: result.preview };
}

/** Every problem with an event trigger; none: the compiled pattern. */
export function checkEventTrigger(input: EventRulesInput): Checked<CompiledPattern> {
  const problems: TriggerProblem[] = [];
  if (input.pipelineCount === 0)
    problems.push({ field: 'pipelines', message: 'on-event needs at least one pipeline' });
  if (input.pipelineCount > MAX_RULE_TARGETS) {
    problems.push({
      field: 'pipelines',
      message: `an EventBridge rule starts at most ${MAX_RULE_TARGETS} pipelines (one target each); got ${input.pipelineCount}`,
    });
  }
  const pattern = parseEventPattern(input.eventPattern);
  if (!pattern.ok) problems.push(eventPatternProblem(pattern.error));
  problems.push(...checkCommon(input));
  if (problems.length > 0 || !pattern.ok) return { ok: false, problems };
  return { ok: true, value: pattern.pattern };
}

/** A problem with what previewSchedule was given, on the field that caused it. */
export function scheduleInputProblem(error: ScheduleInputError): TriggerProblem {
  const field =
    error.code === 'INVALID_TIME_ZONE'
      ? 'timeZone'
      : error.code === 'INVALID_DATE_RANGE'
        ? error.field
        : 'expression';
  return { field, message: error.message };
}

/** A rejected event pattern, named as the person typed it. */
export function eventPatternProblem(error: PatternError): TriggerProblem {
  return { field: 'eventPattern', message: `event pattern: ${error.message}` };
}

export function checkTriggerName(name: string): TriggerProblem | undefined {
  return TRIGGER_NAME.test(name)
    ? undefined
    : {
        field: 'name',
        message: `name: "${name}" can't be a name: use 1-${MAX_TRIGGER_NAME_LENGTH} letters, digits, "-", "_" or "."`,
      };
}

export function checkRoleArn(roleArn: string): TriggerProblem | undefined {
  return ROLE_ARN.test(roleArn)
    ? undefined
    : {
        field: 'roleArn',
        message: `role: "${roleArn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
      };
}

export function checkDescription(description: string): TriggerProblem | undefined {
  return description.length > MAX_DESCRIPTION_LENGTH
    ? {
        field: 'description',
        message: `description: at most ${MAX_DESCRIPTION_LENGTH} characters`,
      }
    : undefined;
}

export function checkFlexibleWindow(minutes: number): TriggerProblem | undefined {
  return Number.isInteger(minutes) &&
    minutes >= MIN_FLEXIBLE_WINDOW_MINUTES &&
    minutes <= MAX_FLEXIBLE_WINDOW_MINUTES
    ? undefined
    : {
        field: 'flexibleWindowMinutes',
        message: `window: ${minutes} minutes is not allowed; the flexible window is ${MIN_FLEXIBLE_WINDOW_MINUTES}-${MAX_FLEXIBLE_WINDOW_MINUTES} minutes (or leave it out for exact times)`,
      };
}

export function checkDeadLetterArn(arn: string): TriggerProblem | undefined {
  return SQS_ARN.test(arn)
    ? undefined
    : {
        field: 'deadLetterArn',
        message: `dead-letter queue: "${arn}" is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>)`,
      };
}

export function checkRetryPolicy(retry: RetryPolicy): TriggerProblem | undefined {
  const age = retry.maximumEventAgeSeconds;
  if (!Number.isInteger(age) || age < MIN_EVENT_AGE_SECONDS || age > MAX_EVENT_AGE_SECONDS) {
    return {
      field: 'retryPolicy',
      message: `retry: the maximum event age is ${MIN_EVENT_AGE_SECONDS}-${MAX_EVENT_AGE_SECONDS} seconds`,
    };
  }
  const attempts = retry.maximumRetryAttempts;
  if (!Number.isInteger(attempts) || attempts < 0 || attempts > MAX_RETRY_ATTEMPTS)
    return {
      field: 'retryPolicy',
      message: `retry: the number of retries is 0-${MAX_RETRY_ATTEMPTS}`,
    };
  return undefined;
}

/** The flexible window as typed (a form field, `window=`): whole minutes, then in range. */
export function readFlexibleWindow(text: string): TextRead<number> {
  if (!/^\d+$/.test(text.trim())) {
    return {
      ok: false,
      problem: {
        field: 'flexibleWindowMinutes',
        message: `window: "${text}" should be a number of minutes (${MIN_FLEXIBLE_WINDOW_MINUTES}-${MAX_FLEXIBLE_WINDOW_MINUTES})`,
      },
    };
  }
  const minutes = Number(text.trim());
  const problem = checkFlexibleWindow(minutes);
  return problem ? { ok: false, problem } : { ok: true, value: minutes };
}

/** A retry setting as typed (`retries=`, `max-age=`): a whole number; the range is checked later. */
export function readRetrySetting(label: 'retries' | 'max-age', text: string): TextRead<number> {
  return /^\d+$/.test(text)
    ? { ok: true, value: Number(text) }
    : {
        ok: false,
        problem: { field: 'retryPolicy', message: `${label}: "${text}" should be a whole number` },
      };
}

function checkCommon(input: {
  name?: string;
  roleArn?: string;
  description?: string;
}): TriggerProblem[] {
  return [
    ...optional(input.roleArn, checkRoleArn),
    ...optional(input.description, checkDescription),
    ...optional(input.name, checkTriggerName),
  ];
}

function optional<T>(
  value: T | undefined,
  check: (value: T) => TriggerProblem | undefined,
): TriggerProblem[] {
  if (value === undefined) return [];
  const problem = check(value);
  return problem ? [problem] : [];
}
