import {
  civilFromDays,
  DAY_MS,
  daysFromCivil,
  daysInMonth,
  formatWall,
  HOUR_MS,
  MINUTE_MS,
  wallFromFields,
  weekdayOfDays,
} from './calendar.js';
import { MAX_YEAR, MIN_YEAR } from './parse.js';
import { type ZoneRules, zoneRules } from './time-zone.js';
import type {
  CronExpression,
  DayOfMonthSpec,
  DayOfWeekSpec,
  PlainField,
  ScheduleExpression,
} from './types.js';

export interface OccurrenceOptions {
  /** Occurrences are strictly after this instant (a rate with no start begins at it). */
  after: Date;
  /** IANA zone the expression is read in; UTC when omitted. Must be valid (resolveTimeZone). */
  timeZone?: string;
  /** No occurrence before this instant; for rate() the anchor of the first run. Ignored by at(). */
  start?: Date;
  /** No occurrence after this instant. Ignored by at(). */
  end?: Date;
  count: number;
}

/**
 * The next `count` instants at which EventBridge Scheduler would invoke the target, in order.
 *
 * Cron is matched on local wall time in the schedule's zone, with Scheduler's daylight-saving
 * rules: a wall time that does not exist (spring forward) is skipped, one that happens twice
 * (fall back) runs once, at its first occurrence. rate() counts fixed durations from its start
 * (24 h for a day, whatever the zone); with no start it begins at `after` itself, as a schedule
 * created at that instant does.
 */
export function nextOccurrences(
  expression: ScheduleExpression,
  options: OccurrenceOptions,
): Date[] {
  const count = Math.max(0, Math.floor(options.count));
  if (count === 0) return [];
  const after = options.after.getTime();
  const zone = zoneRules(options.timeZone ?? 'UTC');
  switch (expression.kind) {
    case 'at': {
      const instant = zone.instantsOf(wallFromFields(expression.local))[0];
      return instant !== undefined && instant > after ? [new Date(instant)] : [];
    }
    case 'rate':
      return rateOccurrences(
        expression.intervalMs,
        after,
        options.start?.getTime(),
        options.end?.getTime(),
        count,
      );
    case 'cron':
      return compileCron(expression).next(
        zone,
        after,
        options.start?.getTime(),
        options.end?.getTime(),
        count,
      );
  }
}

/** A cron run that a spring-forward change removes: its wall time does not exist that day. */
export interface SkippedRun {
  /** The wall time it would have had, as `YYYY-MM-DD HH:MM`. */
  wall: string;
  /** The instant it would have been under the offset before the change: unique, and in order. */
  instant: Date;
  /** The clock jump, e.g. "02:00" to "03:00". */
  clockFrom: string;
  clockTo: string;
}

/**
 * The runs of a cron expression that daylight saving skips in (from, to]: Scheduler never runs
 * a wall time that does not exist, so these are neither runs nor misses. rate() and at() have
 * none (rate counts durations; an at() in a gap is refused when it is made).
 */
export function skippedByDaylightSaving(
  expression: ScheduleExpression,
  options: { from: Date; to: Date; timeZone: string },
): SkippedRun[] {
  if (expression.kind !== 'cron') return [];
  const zone = zoneRules(options.timeZone);
  const cron = compileCron(expression);
  const skipped: SkippedRun[] = [];
  // A gap's runs come up to a few hours after its transition: look back a day for them.
  const since = options.from.getTime() - DAY_MS;
  for (const t of zone.transitionsBetween(since, options.to.getTime())) {
    if (t.offset <= t.offsetBefore) continue;
    const wallStart = t.at + t.offsetBefore;
    const wallEnd = t.at + t.offset;
    for (
      let wall = cron.nextWall(wallStart);
      wall >= 0 && wall < wallEnd;
      wall = cron.nextWall(wall + MINUTE_MS)
    ) {
      const instant = wall - t.offsetBefore;
      if (instant <= options.from.getTime() || instant > options.to.getTime()) continue;
      skipped.push({
        wall: formatWall(wall),
        instant: new Date(instant),
        clockFrom: formatWall(wallStart).slice(11),
        clockTo: formatWall(wallEnd).slice(11),
      });
    }
  }
  return skipped;
}

function rateOccurrences(
  interval: number,
  after: number,
  start: number | undefined,
  end: number | undefined,
  count: number,
): Date[] {
  // Scheduler keeps whole seconds; a schedule created at 08:16:37.412 starts at 08:16:37.
  const anchor = start ?? Math.floor(after / 1000) * 1000;
  let k = 0;
  if (start !== undefined && after >= anchor) k = Math.floor((after - anchor) / interval) + 1;
  const out: Date[] = [];
  for (; out.length < count; k++) {
    const instant = anchor + k * interval;
    if (end !== undefined && instant > end) break;
    out.push(new Date(instant));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Compiled cron: lookup tables that answer "the next allowed value ≥ v" in one step, so a search
// jumps field by field (year → month → day → hour → minute) instead of scanning minutes.

const compiled = new WeakMap<CronExpression, CompiledCron>();

export function compileCron(expression: CronExpression): CompiledCron {
  let c = compiled.get(expression);
  if (!c) {
    c = new CompiledCron(expression);
    compiled.set(expression, c);
  }
  return c;
}

/** next[v] = smallest allowed value ≥ v, or -1; sized max + 2 so `max + 1` reads -1. */
function nextTable(field: PlainField, max: number): Int16Array {
  const table = new Int16Array(max + 2).fill(-1);
  let next = -1;
  const allowed = new Set(field.values);
  for (let v = max; v >= 0; v--) {
    if (allowed.has(v)) next = v;
    table[v] = next;
  }
  return table;
}

/** Bits 0, 7, 14, 21, 28: the days of one weekday, starting from day 1. */
const WEEKLY = 0x10204081;

export class CompiledCron {
  private readonly nextMinute: Int16Array;
  private readonly nextHour: Int16Array;
  private readonly nextMonth: Int16Array;
  private readonly nextYear: Int16Array;
  private readonly dom: DayOfMonthSpec;
  private readonly dow: DayOfWeekSpec;
  /** Plain day-of-month values as a mask, bit d-1 for day d. */
  private readonly domMask: number;
  /** Plain day-of-week values as a mask, bit w for weekday w (0 = Sunday). */
  private readonly dowMask: number;
  readonly firstYear: number;
  readonly lastYear: number;

  constructor(expression: CronExpression) {
    this.nextMinute = nextTable(expression.minutes, 59);
    this.nextHour = nextTable(expression.hours, 23);
    this.nextMonth = nextTable(expression.month, 12);
    this.nextYear = nextTable(
      { kind: 'values', items: [], values: expression.year.values.map((y) => y - MIN_YEAR) },
      MAX_YEAR - MIN_YEAR,
    );
    this.dom = expression.dayOfMonth;
    this.dow = expression.dayOfWeek;
    this.domMask =
      this.dom.kind === 'values' ? this.dom.values.reduce((m, d) => m | (1 << (d - 1)), 0) : 0;
    this.dowMask =
      this.dow.kind === 'values' ? this.dow.values.reduce((m, d) => m | (1 << (d - 1)), 0) : 0;
    this.firstYear = expression.year.values[0] ?? MIN_YEAR;
    this.lastYear = expression.year.values[expression.year.values.length - 1] ?? MAX_YEAR;
  }

  /** Matching days of a month as a mask, bit d-1 for day d. */
  dayMask(year: number, month: number): number {
    const length = daysInMonth(year, month);
    const monthMask = length === 31 ? 0x7fffffff : (1 << length) - 1;
    const firstDays = daysFromCivil(year, month, 1);
    switch (this.dom.kind) {
      case 'values':
        return this.domMask & monthMask;
      case 'last':
        return 1 << (length - 1);
      case 'last-weekday': {
        const weekday = weekdayOfDays(firstDays + length - 1);
        const day = weekday === 6 ? length - 1 : weekday === 0 ? length - 2 : length;
        return 1 << (day - 1);
      }
      case 'nearest-weekday': {
        const target = this.dom.day;
        if (target > length) return 0;
        const weekday = weekdayOfDays(firstDays + target - 1);
        let day = target;
        // Never leaves the month: 1W on a Saturday is Monday the 3rd (as Quartz does).
        if (weekday === 6) day = target === 1 ? 3 : target - 1;
        else if (weekday === 0) day = target === length ? target - 2 : target + 1;
        return 1 << (day - 1);
      }
      case 'any':
        break;
    }
    const firstWeekday = weekdayOfDays(firstDays);
    switch (this.dow.kind) {
      case 'values': {
        let mask = 0;
        for (let w = 0; w < 7; w++) {
          if (this.dowMask & (1 << w)) mask |= WEEKLY << ((w - firstWeekday + 7) % 7);
        }
        return mask & monthMask;
      }
      case 'last-of-month': {
        const lastWeekday = (firstWeekday + length - 1) % 7;
        const day = length - ((lastWeekday - (this.dow.weekday - 1) + 7) % 7);
        return 1 << (day - 1);
      }
      case 'nth-of-month': {
        const day = 1 + ((this.dow.weekday - 1 - firstWeekday + 7) % 7) + 7 * (this.dow.nth - 1);
        return day > length ? 0 : 1 << (day - 1);
      }
      case 'any':
        return 0;
    }
  }

  /**
   * The first wall time (UTC-encoded ms, whole minutes) at or after `wall` that matches, or -1
   * when the year field has no more.
   */
  nextWall(wall: number): number {
    let days = Math.floor(wall / DAY_MS);
    const rest = wall - days * DAY_MS;
    let hour = Math.floor(rest / HOUR_MS);
    let minute = Math.ceil((rest - hour * HOUR_MS) / MINUTE_MS);
    if (minute === 60) {
      minute = 0;
      hour++;
    }
    if (hour === 24) {
      hour = 0;
      days++;
    }
    let { year, month, day } = civilFromDays(days);
    for (;;) {
      if (year > MAX_YEAR) return -1;
      if (year < MIN_YEAR) {
        year = MIN_YEAR;
        month = 1;
        day = 1;
        hour = 0;
        minute = 0;
      }
      const y = this.nextYear[year - MIN_YEAR] ?? -1;
      if (y < 0) return -1;
      if (y + MIN_YEAR !== year) {
        year = y + MIN_YEAR;
        month = 1;
        day = 1;
        hour = 0;
        minute = 0;
      }
      const m = this.nextMonth[month] ?? -1;
      if (m < 0) {
        year++;
        month = 1;
        day = 1;
        hour = 0;
        minute = 0;
        continue;
      }
      if (m !== month) {
        month = m;
        day = 1;
        hour = 0;
        minute = 0;
      }
      const days = this.dayMask(year, month) >>> (day - 1);
      if (days === 0) {
        month++;
        day = 1;
        hour = 0;
        minute = 0;
        if (month > 12) {
          month = 1;
          year++;
        }
        continue;
      }
      const skip = 31 - Math.clz32(days & -days);
      if (skip !== 0) {
        day += skip;
        hour = 0;
        minute = 0;
      }
      const h = this.nextHour[hour] ?? -1;
      if (h < 0) {
        day++;
        hour = 0;
        minute = 0;
        continue;
      }
      if (h !== hour) {
        hour = h;
        minute = 0;
      }
      const mi = this.nextMinute[minute] ?? -1;
      if (mi < 0) {
        hour++;
        minute = 0;
        continue;
      }
      return daysFromCivil(year, month, day) * DAY_MS + hour * HOUR_MS + mi * MINUTE_MS;
    }
  }

  next(
    zone: ZoneRules,
    after: number,
    start: number | undefined,
    end: number | undefined,
    count: number,
  ): Date[] {
    const out: Date[] = [];
    // `lowest` is the first instant an occurrence may have.
    let lowest = start !== undefined && start > after ? start : after + 1;
    let wall = zone.wallAt(lowest);
    while (out.length < count) {
      const candidate = this.nextWall(wall);
      if (candidate < 0) break;
      const first = zone.instantsOf(candidate)[0];
      // undefined: the wall time does not exist today (spring forward) — skipped.
      // first < lowest: a repeated wall time whose first run is already behind us — runs once.
      if (first !== undefined && first >= lowest) {
        if (end !== undefined && first > end) break;
        out.push(new Date(first));
        lowest = first + 1;
      }
      wall = candidate + MINUTE_MS;
    }
    return out;
  }
}
