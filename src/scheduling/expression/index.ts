import { formatInstant } from './calendar.js';
import { describeExpression } from './describe.js';
import { nextOccurrences } from './occurrences.js';
import { parseExpression } from './parse.js';
import { resolveTimeZone } from './time-zone.js';
import { occurrenceBounds, type ScheduleDates } from './timing.js';
import type { Dialect, ExpressionError, ScheduleExpression } from './types.js';
import { expressionWarnings, type ScheduleWarning } from './warnings.js';

export { formatInstant } from './calendar.js';
export { describeExpression } from './describe.js';
export {
  nextOccurrences,
  type OccurrenceOptions,
  type SkippedRun,
  skippedByDaylightSaving,
} from './occurrences.js';
export { MAX_EXPRESSION_LENGTH, parseExpression } from './parse.js';
export { formatInstantIn, resolveTimeZone } from './time-zone.js';
export {
  type OccurrenceBounds,
  occurrenceBounds,
  type ScheduleDates,
  wholeSecond,
} from './timing.js';
export type * from './types.js';
export type { ScheduleWarning, WarningCode } from './warnings.js';

export interface PreviewRequest {
  expression: string;
  /** IANA zone; UTC when omitted. */
  timeZone?: string;
  start?: Date;
  end?: Date;
  /** The instant the preview is made (and, for a rate with no start, the schedule's start). */
  now: Date;
  /** How many upcoming runs to list; 5 by default. */
  count?: number;
  dialect?: Dialect;
}

export interface SchedulePreview {
  expression: ScheduleExpression;
  timeZone: string;
  description: string;
  occurrences: Date[];
  warnings: ScheduleWarning[];
}

export type ScheduleInputError =
  | ExpressionError
  | { code: 'INVALID_TIME_ZONE'; message: string; field: 'timeZone' }
  | { code: 'INVALID_DATE_RANGE'; message: string; field: 'start' | 'end' };

export type PreviewResult =
  | { ok: true; preview: SchedulePreview }
  | { ok: false; error: ScheduleInputError };

/** Upcoming runs considered when judging how often a schedule fires. */
const FREQUENCY_SAMPLE = 10;

/**
 * Everything a person should see before committing a schedule: the parsed expression, what it
 * means in words, the next runs, and the warnings. The one entry point the modal, the chat
 * commands and the CLI share.
 */
export function previewSchedule(request: PreviewRequest): PreviewResult {
  const parsed = parseExpression(request.expression, { dialect: request.dialect ?? 'scheduler' });
  if (!parsed.ok) return parsed;
  let timeZone = 'UTC';
  if (request.timeZone !== undefined) {
    const zone = resolveTimeZone(request.timeZone);
    if (!zone.ok)
      return {
        ok: false,
        error: { code: 'INVALID_TIME_ZONE', message: zone.message, field: 'timeZone' },
      };
    timeZone = zone.timeZone;
    if (request.dialect === 'rules' && timeZone !== 'UTC') {
      return {
        ok: false,
        error: {
          code: 'INVALID_TIME_ZONE',
          message:
            'time zone: EventBridge rules always run in UTC; use EventBridge Scheduler for a local time',
          field: 'timeZone',
        },
      };
    }
  }
  for (const [field, date] of [
    ['start', request.start],
    ['end', request.end],
  ] as const) {
    if (date && Number.isNaN(date.getTime())) {
      return {
        ok: false,
        error: { code: 'INVALID_DATE_RANGE', message: `${field}: not a valid date`, field },
      };
    }
  }
  if (request.start && request.end && request.end.getTime() <= request.start.getTime()) {
    return {
      ok: false,
      error: {
        code: 'INVALID_DATE_RANGE',
        message: `end (${formatInstant(request.end)}) must be after start (${formatInstant(request.start)})`,
        field: 'end',
      },
    };
  }
  const expression = parsed.expression;
  const count = Math.max(0, Math.floor(request.count ?? 5));
  const window = {
    after: request.now,
    timeZone,
    ...(request.start ? { start: request.start } : {}),
    ...(request.end ? { end: request.end } : {}),
  };
  const upcoming = nextOccurrences(expression, {
    ...window,
    count: Math.max(count, FREQUENCY_SAMPLE),
  });
  const warnings = expressionWarnings(expression, {
    timeZone,
    now: request.now.getTime(),
    ...(request.start ? { start: request.start.getTime() } : {}),
    ...(request.end ? { end: request.end.getTime() } : {}),
    upcoming,
  });
  return {
    ok: true,
    preview: {
      expression,
      timeZone,
      description: describeExpression(expression, timeZone),
      occurrences: upcoming.slice(0, count),
      warnings,
    },
  };
}

/** A schedule as a back end holds it, as far as when it runs is concerned. */
export interface StoredScheduleTiming extends ScheduleDates {
  expression: string;
  timeZone: string;
}

/**
 * The runs of a schedule that exists, counted as the local engine fires them (occurrenceBounds):
 * what describe lists, and what the reply to create lists. Runs are strictly after `now`, and
 * never from before the schedule's definition was written; with `fromWritten`, every run since
 * it was written — the reply to create, which a rate()'s first run (its creation second) may
 * already be behind.
 */
export function previewStoredSchedule(
  schedule: StoredScheduleTiming,
  options: { now: Date; count?: number; fromWritten?: boolean },
): PreviewResult {
  const parsed = parseExpression(schedule.expression);
  if (!parsed.ok) return parsed;
  const bounds = occurrenceBounds(parsed.expression.kind, schedule);
  const floor = bounds.earliest === undefined ? undefined : bounds.earliest - 1;
  const now = options.now.getTime();
  const after = floor === undefined ? now : options.fromWritten ? floor : Math.max(now, floor);
  return previewSchedule({
    expression: schedule.expression,
    timeZone: schedule.timeZone,
    now: new Date(after),
    ...(options.count !== undefined ? { count: options.count } : {}),
    ...(bounds.start !== undefined ? { start: new Date(bounds.start) } : {}),
    ...(bounds.end !== undefined ? { end: new Date(bounds.end) } : {}),
  });
}
