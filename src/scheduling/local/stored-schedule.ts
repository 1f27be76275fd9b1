import { TriggerError } from '../errors.js';
import { parseExpression, resolveTimeZone } from '../expression/index.js';
import { MAX_PARAMETER_VALUE_LENGTH, MAX_PARAMETERS, PARAMETER_NAME } from '../pipeline.js';
import { scheduleDocument } from '../schedule-document.js';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_EVENT_AGE_SECONDS,
  MAX_FLEXIBLE_WINDOW_MINUTES,
  MAX_RETRY_ATTEMPTS,
  MAX_TRIGGER_NAME_LENGTH,
  MIN_EVENT_AGE_SECONDS,
  MIN_FLEXIBLE_WINDOW_MINUTES,
  ROLE_ARN,
  SQS_ARN,
  TRIGGER_NAME,
} from '../trigger-rules.js';
import type { ScheduleRecord, ScheduleTrigger } from '../triggers.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './pipeline-catalog.js';

/**
 * A schedule as the local back end stores it, and the checks EventBridge Scheduler makes before
 * it stores one: the shared trigger limits, in Scheduler's own words (the local back end
 * stands in for AWS, so its refusals read like AWS's).
 */

/** A schedule as the store keeps it: the record plus how far the engine got. */
export interface StoredSchedule {
  record: Omit<ScheduleRecord, 'start' | 'end' | 'createdAt' | 'modifiedAt'> & {
    start?: string;
    end?: string;
    createdAt: string;
    modifiedAt: string;
  };
  /** The scheduled time (ms) of the last occurrence that was fired. */
  lastFired?: number;
  /** Bumped on every change so stale heap entries are recognised. */
  version: number;
}

/**
 * What a stored schedule is, for telling changes apart: the version alone is not enough, since a
 * schedule deleted and created again under its old name starts again at 1.
 */
export function revisionOf(stored: StoredSchedule): string {
  return `${stored.record.createdAt}#${stored.version}`;
}

export function scheduleArn(group: string, name: string): string {
  return `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/${group}/${name}`;
}

export function keyOf(group: string, name: string): string {
  return `${group}/${name}`;
}

/**
 * What the store keeps: the domain's fields and the whole document Scheduler would hold, made
 * from the one the schedule was read from (schedule-document.ts), so a write through this back
 * end keeps what the domain does not model exactly as AWS would.
 */
export function serialize(
  schedule: ScheduleTrigger,
): Omit<StoredSchedule['record'], 'arn' | 'createdAt' | 'modifiedAt'> {
  const { start, end, ...rest } = schedule;
  return {
    ...rest,
    held: scheduleDocument(schedule),
    ...(start ? { start: start.toISOString() } : {}),
    ...(end ? { end: end.toISOString() } : {}),
  };
}

export function deserialize(record: StoredSchedule['record']): ScheduleRecord {
  const { start, end, createdAt, modifiedAt, ...rest } = record;
  return {
    ...rest,
    ...(start ? { start: new Date(start) } : {}),
    ...(end ? { end: new Date(end) } : {}),
    createdAt: new Date(createdAt),
    modifiedAt: new Date(modifiedAt),
  };
}

export function validateName(name: string, what: string): void {
  if (!TRIGGER_NAME.test(name)) {
    throw new TriggerError(
      'VALIDATION',
      `${what} name "${name}" must be 1-${MAX_TRIGGER_NAME_LENGTH} letters, digits, "-", "_" or "."`,
    );
  }
}

/** The checks EventBridge Scheduler makes on CreateSchedule/UpdateSchedule, with its limits. */
export function validateSchedule(s: ScheduleTrigger): void {
  validateName(s.name, 'schedule');
  validateName(s.group, 'group');
  const parsed = parseExpression(s.expression);
  if (!parsed.ok)
    throw new TriggerError(
      'VALIDATION',
      `Invalid Schedule Expression ${s.expression}: ${parsed.error.message}`,
    );
  const zone = resolveTimeZone(s.timeZone);
  if (!zone.ok) throw new TriggerError('VALIDATION', zone.message);
  if (
    s.flexibleWindowMinutes !== undefined &&
    (!Number.isInteger(s.flexibleWindowMinutes) ||
      s.flexibleWindowMinutes < MIN_FLEXIBLE_WINDOW_MINUTES ||
      s.flexibleWindowMinutes > MAX_FLEXIBLE_WINDOW_MINUTES)
  ) {
    throw new TriggerError(
      'VALIDATION',
      `MaximumWindowInMinutes must be between ${MIN_FLEXIBLE_WINDOW_MINUTES} and ${MAX_FLEXIBLE_WINDOW_MINUTES}`,
    );
  }
  if (s.start && s.end && s.end.getTime() <= s.start.getTime())
    throw new TriggerError('VALIDATION', 'The EndDate must be after the StartDate');
  if (!ROLE_ARN.test(s.roleArn))
    throw new TriggerError('VALIDATION', `RoleArn ${s.roleArn} is not an IAM role ARN`);
  if (s.deadLetterArn !== undefined && !SQS_ARN.test(s.deadLetterArn)) {
    throw new TriggerError(
      'VALIDATION',
      `DeadLetterConfig.Arn ${s.deadLetterArn} is not an SQS queue ARN`,
    );
  }
  if ((s.description ?? '').length > MAX_DESCRIPTION_LENGTH)
    throw new TriggerError(
      'VALIDATION',
      `Description is longer than ${MAX_DESCRIPTION_LENGTH} characters`,
    );
  const { maximumEventAgeSeconds: age, maximumRetryAttempts: attempts } = s.retryPolicy;
  if (!Number.isInteger(age) || age < MIN_EVENT_AGE_SECONDS || age > MAX_EVENT_AGE_SECONDS)
    throw new TriggerError(
      'VALIDATION',
      `MaximumEventAgeInSeconds must be between ${MIN_EVENT_AGE_SECONDS} and ${MAX_EVENT_AGE_SECONDS}`,
    );
  if (!Number.isInteger(attempts) || attempts < 0 || attempts > MAX_RETRY_ATTEMPTS)
    throw new TriggerError(
      'VALIDATION',
      `MaximumRetryAttempts must be between 0 and ${MAX_RETRY_ATTEMPTS}`,
    );
  if (s.parameters.length > MAX_PARAMETERS)
    throw new TriggerError(
      'VALIDATION',
      `PipelineParameterList has more than ${MAX_PARAMETERS} items`,
    );
  for (const p of s.parameters) {
    if (!PARAMETER_NAME.test(p.name))
      throw new TriggerError('VALIDATION', `parameter name "${p.name}" is not valid`);
    if (p.value.length < 1 || p.value.length > MAX_PARAMETER_VALUE_LENGTH) {
      throw new TriggerError(
        'VALIDATION',
        `parameter ${p.name}: the value must be 1-${MAX_PARAMETER_VALUE_LENGTH} characters`,
      );
    }
  }
}
