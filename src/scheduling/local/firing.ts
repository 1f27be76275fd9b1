import { createHash } from 'node:crypto';
import { nextOccurrences, type ScheduleExpression } from '../expression/index.js';
import type { ParameterValue } from '../pipeline.js';
import type { ScheduleTrigger } from '../triggers.js';

/**
 * The engine's arithmetic: when an occurrence is due (its flexible window), when a failed start
 * is retried, and what Scheduler substitutes in the parameters it sends.
 */

export interface Slot {
  /** Shared by every schedule with the same expression text. */
  expression: ScheduleExpression;
  timeZone: string;
  start?: number;
  end?: number;
  window?: number;
  /** The stored revision this slot was built from (revisionOf). */
  revision: string;
  /** Which schedule of this name: its creation instant, as stored. */
  incarnation: string;
  /** The newest occurrence this process has begun to fire (or saw saved as fired). */
  lastFired?: number;
}

export interface Due {
  due: number;
  key: string;
  occurrence: number;
  version: number;
  attempt: number;
}

/** Scheduler's precision is a minute; firing a little after the due instant is normal. */
export const RETRY_BASE_MS = 1000;

/** The later of two instants; known when either is. */
export function latest(a: number | undefined, b: number): number;
export function latest(a: number | undefined, b: number | undefined): number | undefined;
export function latest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

export function occurrenceAfter(slot: Slot, after: number): number | undefined {
  const [next] = nextOccurrences(slot.expression, {
    after: new Date(after),
    timeZone: slot.timeZone,
    ...(slot.start !== undefined ? { start: new Date(slot.start) } : {}),
    ...(slot.end !== undefined ? { end: new Date(slot.end) } : {}),
    count: 1,
  });
  return next?.getTime();
}

/** With a flexible window, a stable pseudo-random delay within it (the same after a restart). */
export function dueOf(key: string, slot: Slot, occurrence: number): number {
  if (!slot.window) return occurrence;
  const hash = createHash('sha256').update(`${key}|${occurrence}`).digest().readUInt32BE(0);
  return occurrence + (hash % (slot.window * 60)) * 1000;
}

export function retryDelay(
  entry: Due,
  policy: ScheduleTrigger['retryPolicy'],
  now: number,
): number | undefined {
  if (entry.attempt > policy.maximumRetryAttempts) return undefined;
  const delay = RETRY_BASE_MS * 2 ** (entry.attempt - 1);
  return now + delay - entry.occurrence > policy.maximumEventAgeSeconds * 1000 ? undefined : delay;
}

/** Scheduler substitutes its context attributes inside parameter values. */
export function withContext(
  parameters: ParameterValue[],
  arn: string,
  entry: Due,
): ParameterValue[] {
  const scheduled = new Date(entry.occurrence).toISOString().replace('.000Z', 'Z');
  const executionId = createHash('sha256')
    .update(`${arn}|${entry.occurrence}|${entry.attempt}`)
    .digest('hex')
    .slice(0, 16);
  return parameters.map(({ name, value }) => ({
    name,
    value: value
      .replaceAll('<aws.scheduler.schedule-arn>', arn)
      .replaceAll('<aws.scheduler.scheduled-time>', scheduled)
      .replaceAll('<aws.scheduler.execution-id>', executionId)
      .replaceAll('<aws.scheduler.attempt-number>', String(entry.attempt)),
  }));
}
