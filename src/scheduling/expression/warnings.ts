import {
  DAY_MS,
  daysInMonth,
  formatClock,
  formatInstant,
  formatWall,
  MINUTE_MS,
  wallFromFields,
} from './calendar.js';
import { monthLong } from './describe.js';
import { compileCron } from './occurrences.js';
import { zoneRules } from './time-zone.js';
import type { CronExpression, ScheduleExpression } from './types.js';

export type WarningCode =
  | 'DST_SKIPPED'
  | 'DST_RUNS_ONCE'
  | 'SHORT_MONTHS'
  | 'FIFTH_WEEKDAY'
  | 'NEVER_RUNS'
  | 'NO_RUN_BEFORE_END'
  | 'NO_FUTURE_RUN'
  | 'AT_IN_PAST'
  | 'AT_DOES_NOT_EXIST'
  | 'AT_IGNORES_START_END'
  | 'RATE_IGNORES_TIME_ZONE'
  | 'RUNS_OFTEN'
  | 'UNDOCUMENTED_SYNTAX'
  /** Not about the expression: the schedule's dead-letter queue is in another account. */
  | 'DLQ_OTHER_ACCOUNT'
  /** Not about the expression: another trigger already starts the pipeline at these times. */
  | 'COLLISION'
  /** Not about the expression: the execution role fails the role check. */
  | 'ROLE_CHECK';

export interface ScheduleWarning {
  code: WarningCode;
  message: string;
}

export interface WarningContext {
  timeZone: string;
  now: number;
  start?: number;
  end?: number;
  /** The upcoming occurrences, as computed for the preview. */
  upcoming: Date[];
}

/** Daylight-saving changes are looked for this far ahead. */
const DST_HORIZON_MS = 366 * DAY_MS;
const FREQUENT_MS = 15 * MINUTE_MS;

/** What a person should know before committing the schedule. Pure given its inputs. */
export function expressionWarnings(
  expression: ScheduleExpression,
  context: WarningContext,
): ScheduleWarning[] {
  switch (expression.kind) {
    case 'at':
      return atWarnings(expression.local, context);
    case 'rate':
      return [
        ...rateWarnings(expression.intervalMs, expression.unit, context),
        ...commonWarnings(context, expression),
      ];
    case 'cron': {
      const calendar = calendarWarnings(expression);
      return [
        ...expression.notes.map((message) => ({ code: 'UNDOCUMENTED_SYNTAX' as const, message })),
        ...calendar,
        ...dstWarnings(expression, context),
        // A calendar that never matches has already been explained.
        ...commonWarnings(context, expression).filter(
          (w) => !(w.code === 'NEVER_RUNS' && calendar.some((c) => c.code === 'NEVER_RUNS')),
        ),
      ];
    }
  }
}

function atWarnings(
  local: { year: number; month: number; day: number; hour: number; minute: number; second: number },
  context: WarningContext,
): ScheduleWarning[] {
  const warnings: ScheduleWarning[] = [];
  const zone = zoneRules(context.timeZone);
  const wall = wallFromFields(local);
  const instant = zone.instantsOf(wall)[0];
  if (context.start !== undefined || context.end !== undefined) {
    warnings.push({
      code: 'AT_IGNORES_START_END',
      message: 'start and end dates are ignored for a one-time at() schedule',
    });
  }
  if (instant === undefined) {
    warnings.push({
      code: 'AT_DOES_NOT_EXIST',
      message: `${formatWall(wall)} does not exist in ${context.timeZone}: clocks jump forward over it, and EventBridge Scheduler skips times that do not exist, so this schedule would never run — pick a time after the change`,
    });
  } else if (instant <= context.now) {
    warnings.push({
      code: 'AT_IN_PAST',
      message: `this at() is in the past (${formatWall(wall)} ${context.timeZone} was ${formatInstant(instant)}): it will never run`,
    });
  }
  return warnings;
}

function rateWarnings(
  intervalMs: number,
  unit: string,
  context: WarningContext,
): ScheduleWarning[] {
  if (context.timeZone === 'UTC') return [];
  const zone = zoneRules(context.timeZone);
  const from = context.start ?? context.now;
  const shifts = zone.transitionsBetween(from, from + DST_HORIZON_MS).length > 0;
  const shiftNote =
    shifts && intervalMs % DAY_MS === 0
      ? `; a day is always 24 hours, so the local time of each run moves by the daylight-saving shift in ${context.timeZone} — use cron(…) to keep a local time`
      : '';
  return [
    {
      code: 'RATE_IGNORES_TIME_ZONE',
      message: `the time zone does not change a rate(): it runs every fixed number of ${unit} from its start${shiftNote}`,
    },
  ];
}

function commonWarnings(
  context: WarningContext,
  expression: ScheduleExpression,
): ScheduleWarning[] {
  const warnings: ScheduleWarning[] = [];
  const [first, second] = context.upcoming;
  if (!first) {
    if (context.end !== undefined) {
      warnings.push({
        code: 'NO_RUN_BEFORE_END',
        message: `no occurrence before the end date (${formatInstant(context.end)}): this schedule would never run`,
      });
    } else if (expression.kind === 'cron') {
      const lastYear = compileCron(expression).lastYear;
      const never = compileCron(expression).nextWall(0) < 0;
      warnings.push(
        never
          ? {
              code: 'NEVER_RUNS',
              message: 'no date matches this cron in any year: it would never run',
            }
          : {
              code: 'NO_FUTURE_RUN',
              message: `no future occurrence: the year field ends in ${lastYear}, so this schedule would never run`,
            },
      );
    }
    return warnings;
  }
  if (second) {
    let shortest = Number.POSITIVE_INFINITY;
    for (let i = 1; i < context.upcoming.length; i++) {
      shortest = Math.min(
        shortest,
        (context.upcoming[i]?.getTime() ?? 0) - (context.upcoming[i - 1]?.getTime() ?? 0),
      );
    }
    if (shortest < FREQUENT_MS) {
      const minutes = Math.round(shortest / MINUTE_MS);
      warnings.push({
        code: 'RUNS_OFTEN',
        message: `runs as often as every ${minutes === 1 ? 'minute' : `${minutes} minutes`}: each run starts a full pipeline execution`,
      });
    }
  }
  return warnings;
}

const ordinalsShort = ['', 'first', 'second', 'third', 'fourth', 'fifth'];
const weekdayLong = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Days of the month that some selected months do not have. */
function calendarWarnings(c: CronExpression): ScheduleWarning[] {
  const warnings: ScheduleWarning[] = [];
  const dom = c.dayOfMonth;
  const highest =
    dom.kind === 'values'
      ? (dom.values[dom.values.length - 1] ?? 0)
      : dom.kind === 'nearest-weekday'
        ? dom.day
        : 0;
  if (highest > 28 && !(dom.kind === 'values' && dom.values.length === 31)) {
    const shortMonths = c.month.values.filter((m) => daysInMonth(2001, m) < highest);
    const leapOnly = highest === 29 && shortMonths.length === 1 && shortMonths[0] === 2;
    if (
      shortMonths.length === c.month.values.length &&
      c.month.values.every((m) => daysInMonth(2000, m) < highest)
    ) {
      warnings.push({
        code: 'NEVER_RUNS',
        message: `day ${highest} does not exist in ${joinMonths(c.month.values)}: this schedule never runs`,
      });
    } else if (leapOnly) {
      warnings.push({
        code: 'SHORT_MONTHS',
        message: 'day 29 skips February except in leap years',
      });
    } else if (shortMonths.length > 0) {
      warnings.push({
        code: 'SHORT_MONTHS',
        message: `day ${highest} skips months with fewer days (${joinMonths(shortMonths)})`,
      });
    }
  }
  if (c.dayOfWeek.kind === 'nth-of-month' && c.dayOfWeek.nth === 5) {
    const name = weekdayLong[c.dayOfWeek.weekday - 1];
    warnings.push({
      code: 'FIFTH_WEEKDAY',
      message: `the ${ordinalsShort[5]} ${name}: months with only four ${name}s have no run`,
    });
  }
  return warnings;
}

function joinMonths(months: number[]): string {
  const names = months.map((m) => monthLong[m - 1] ?? String(m));
  return names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Runs that a daylight-saving change in the coming year will skip or merge. */
function dstWarnings(c: CronExpression, context: WarningContext): ScheduleWarning[] {
  const zone = zoneRules(context.timeZone);
  const from = Math.max(context.now, context.start ?? context.now);
  const to = Math.min(from + DST_HORIZON_MS, context.end ?? Number.POSITIVE_INFINITY);
  if (to <= from) return [];
  const cron = compileCron(c);
  const warnings: ScheduleWarning[] = [];
  for (const t of zone.transitionsBetween(from, to)) {
    const forward = t.offset > t.offsetBefore;
    // The wall times the change removes (forward) or repeats (back).
    const wallStart = t.at + Math.min(t.offset, t.offsetBefore);
    const wallEnd = t.at + Math.max(t.offset, t.offsetBefore);
    const hits: number[] = [];
    for (
      let wall = cron.nextWall(wallStart);
      wall >= 0 && wall < wallEnd;
      wall = cron.nextWall(wall + MINUTE_MS)
    ) {
      hits.push(wall);
    }
    const [firstHit] = hits;
    if (firstHit === undefined) continue;
    const lastHit = hits[hits.length - 1] ?? firstHit;
    const day = formatWall(firstHit).slice(0, 10);
    const clockFrom = formatWall(t.at + t.offsetBefore).slice(11);
    const clockTo = formatWall(t.at + t.offset).slice(11);
    const which =
      hits.length === 1
        ? `the ${clock(firstHit)} run`
        : `the ${hits.length} runs from ${clock(firstHit)} to ${clock(lastHit)}`;
    if (forward) {
      warnings.push({
        code: 'DST_SKIPPED',
        message: `on ${day} clocks in ${context.timeZone} jump from ${clockFrom} to ${clockTo}: ${which} ${hits.length === 1 ? 'does' : 'do'} not exist that day and ${hits.length === 1 ? 'is' : 'are'} skipped`,
      });
    } else {
      warnings.push({
        code: 'DST_RUNS_ONCE',
        message: `on ${day} clocks in ${context.timeZone} go back from ${clockFrom} to ${clockTo}, so ${clockTo}–${clockFrom} happens twice: ${which} ${hits.length === 1 ? 'runs' : 'run'} once, at the first pass (${formatInstant(firstHit - t.offsetBefore)} for ${clock(firstHit)})`,
      });
    }
  }
  return warnings;
}

function clock(wall: number): string {
  const minutes = Math.floor((((wall % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
  return formatClock(Math.floor(minutes / 60), minutes % 60);
}
