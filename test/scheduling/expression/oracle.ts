/**
 * A slow, deliberately simple model of when EventBridge Scheduler fires, used to check the
 * engine in src/scheduling/expression. It shares no code with the engine: it reads expression
 * text itself, matches cron fields with plain loops, and gets every local wall time straight from
 * Intl.DateTimeFormat, one UTC minute at a time.
 *
 * Two facts about real time zones are relied on, and said where they are used:
 * - every UTC offset is within ±16 h (real ones are within −12 h … +14 h), so the local date of
 *   an instant is never more than one day away from its UTC date;
 * - a clock never goes back by more than 3 h (fall-back shifts are 1 h, or 30 min on Lord Howe).
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Larger than any UTC offset a real zone has had since 1900. */
const MAX_OFFSET = 16 * HOUR;
/** Longer than any fall-back shift: a repeated wall time recurs within this window. */
const REPEAT_WINDOW_MINUTES = 180;

// ---------------------------------------------------------------------------------------------
// Local wall time, from Intl and nothing else

export interface LocalWall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock in `timeZone` at a UTC instant, as Intl reports it. */
export function localWallAt(timeZone: string, instant: number): LocalWall {
  const wall: LocalWall = { year: -1, month: -1, day: -1, hour: -1, minute: -1, second: -1 };
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type === 'year' || part.type === 'month' || part.type === 'day')
      wall[part.type] = Number(part.value);
    if (part.type === 'hour' || part.type === 'minute' || part.type === 'second')
      wall[part.type] = Number(part.value);
  }
  if (wall.year < 1 || wall.hour < 0 || wall.hour > 23 || wall.minute < 0 || wall.second < 0) {
    throw new Error(
      `Intl gave an unexpected wall time for ${new Date(instant).toISOString()} in ${timeZone}`,
    );
  }
  return wall;
}

export function sameWall(a: LocalWall, b: LocalWall): boolean {
  return (
    a.year === b.year &&
    a.month === b.month &&
    a.day === b.day &&
    a.hour === b.hour &&
    a.minute === b.minute &&
    a.second === b.second
  );
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2024-03-31 02:30:00` */
export function formatWall(wall: LocalWall): string {
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)} ${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`;
}

/** Offset of the zone (local minus UTC, ms) at an instant, from Intl. */
export function offsetAt(timeZone: string, instant: number): number {
  const w = localWallAt(timeZone, instant);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * Wall times of one zone, memoised per instant so that the walk and the "did this wall time
 * already happen?" look-back share Intl calls. `lookups` counts the real Intl calls.
 */
class WallClock {
  lookups = 0;
  private readonly cache = new Map<number, LocalWall>();

  constructor(readonly timeZone: string) {}

  at(instant: number): LocalWall {
    let wall = this.cache.get(instant);
    if (!wall) {
      wall = localWallAt(this.timeZone, instant);
      this.lookups++;
      this.cache.set(instant, wall);
    }
    return wall;
  }

  /** True when some earlier instant, up to 3 h back, showed the same wall time (fall back). */
  repeatsEarlierWall(instant: number): boolean {
    const wall = this.at(instant);
    for (let k = 1; k <= REPEAT_WINDOW_MINUTES; k++) {
      if (sameWall(this.at(instant - k * MINUTE), wall)) return true;
    }
    return false;
  }
}

/** True when `instant` is the first time its wall clock reading happens (not a fall-back repeat). */
export function isFirstTimeOfWall(timeZone: string, instant: number): boolean {
  return !new WallClock(timeZone).repeatsEarlierWall(instant);
}

// ---------------------------------------------------------------------------------------------
// Calendar facts, from Date in UTC

export function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday … 7 = Saturday, as EventBridge numbers them. */
export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

const isMondayToFriday = (weekday: number) => weekday >= 2 && weekday <= 6;

// ---------------------------------------------------------------------------------------------
// cron(minutes hours day-of-month month day-of-week year), read from its text

export type OracleDayOfMonth =
  | { kind: 'any' }
  | { kind: 'days'; days: Set<number> }
  | { kind: 'last' }
  | { kind: 'last-weekday' }
  | { kind: 'nearest-weekday'; day: number };

export type OracleDayOfWeek =
  | { kind: 'any' }
  | { kind: 'weekdays'; weekdays: Set<number> }
  | { kind: 'last'; weekday: number }
  | { kind: 'nth'; weekday: number; nth: number };

export interface OracleCron {
  text: string;
  minutes: Set<number>;
  hours: Set<number>;
  dayOfMonth: OracleDayOfMonth;
  months: Set<number>;
  dayOfWeek: OracleDayOfWeek;
  years: Set<number>;
}

const MONTH_NAMES = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function readValue(text: string, min: number, max: number, names: string[] | undefined): number {
  const named = names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + min : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max))
    throw new Error(`oracle: "${text}" is not a value in ${min}-${max}`);
  return value;
}

/**
 * A list of `*`, `v`, `a-b`, `v/s`, `a-b/s`, `*\/s` items. A range walks upwards from a, wrapping
 * from max to min, until it reaches b; a step keeps every s-th value of that walk. `v/s` walks
 * from v to max, `*` from min to max.
 */
function readList(text: string, min: number, max: number, names?: string[]): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`oracle: bad step in "${item}"`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = min;
      to = max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      from = readValue(a, min, max, names);
      to = readValue(b, min, max, names);
    } else {
      from = readValue(range, min, max, names);
      to = stepText === undefined ? from : max;
    }
    let value = from;
    for (let i = 0; ; i++) {
      if (i % step === 0) values.add(value);
      if (value === to) break;
      value = value === max ? min : value + 1;
    }
  }
  return values;
}

export function parseCronForOracle(expression: string): OracleCron {
  const body = /^cron\((.*)\)$/.exec(expression)?.[1];
  const fields = body?.trim().split(/\s+/) ?? [];
  if (fields.length !== 6) throw new Error(`oracle: "${expression}" is not a six-field cron`);
  const [minutes = '', hours = '', dom = '', month = '', dow = '', year = ''] = fields;

  let dayOfMonth: OracleDayOfMonth;
  const nearest = /^(\d+)W$/.exec(dom);
  if (dom === '?') dayOfMonth = { kind: 'any' };
  else if (dom === 'L') dayOfMonth = { kind: 'last' };
  else if (dom === 'LW') dayOfMonth = { kind: 'last-weekday' };
  else if (nearest) dayOfMonth = { kind: 'nearest-weekday', day: Number(nearest[1]) };
  else dayOfMonth = { kind: 'days', days: readList(dom, 1, 31) };

  let dayOfWeek: OracleDayOfWeek;
  const last = /^(\w+)L$/.exec(dow);
  const nth = /^(\w+)#(\d)$/.exec(dow);
  if (dow === '?') dayOfWeek = { kind: 'any' };
  else if (dow === 'L') dayOfWeek = { kind: 'weekdays', weekdays: new Set([7]) };
  else if (last) dayOfWeek = { kind: 'last', weekday: readValue(last[1] ?? '', 1, 7, DAY_NAMES) };
  else if (nth)
    dayOfWeek = {
      kind: 'nth',
      weekday: readValue(nth[1] ?? '', 1, 7, DAY_NAMES),
      nth: Number(nth[2]),
    };
  else dayOfWeek = { kind: 'weekdays', weekdays: readList(dow, 1, 7, DAY_NAMES) };

  return {
    text: expression,
    minutes: readList(minutes, 0, 59),
    hours: readList(hours, 0, 23),
    dayOfMonth,
    months: readList(month, 1, 12, MONTH_NAMES),
    dayOfWeek,
    years: readList(year, 1970, 2199),
  };
}

function dayOfMonthMatches(
  spec: OracleDayOfMonth,
  year: number,
  month: number,
  day: number,
): boolean {
  const length = daysInMonth(year, month);
  switch (spec.kind) {
    case 'any':
      return true;
    case 'days':
      return spec.days.has(day);
    case 'last':
      return day === length;
    case 'last-weekday': {
      let lastWeekday = length;
      while (!isMondayToFriday(weekdayOf(year, month, lastWeekday))) lastWeekday--;
      return day === lastWeekday;
    }
    case 'nearest-weekday': {
      // The Monday-Friday day of this month closest to the target (never a tie: the target is a
      // weekend day only when it has a weekday neighbour at distance 1 or 2 on one side).
      if (spec.day > length) return false;
      let best = -1;
      for (let d = 1; d <= length; d++) {
        if (!isMondayToFriday(weekdayOf(year, month, d))) continue;
        if (best === -1 || Math.abs(d - spec.day) < Math.abs(best - spec.day)) best = d;
      }
      return day === best;
    }
  }
}

function dayOfWeekMatches(
  spec: OracleDayOfWeek,
  year: number,
  month: number,
  day: number,
): boolean {
  const weekday = weekdayOf(year, month, day);
  switch (spec.kind) {
    case 'any':
      return true;
    case 'weekdays':
      return spec.weekdays.has(weekday);
    case 'last':
      // The last one: a week later is already next month.
      return weekday === spec.weekday && day + 7 > daysInMonth(year, month);
    case 'nth':
      // Days 1-7 hold the first of each weekday, 8-14 the second, …
      return weekday === spec.weekday && Math.floor((day - 1) / 7) + 1 === spec.nth;
  }
}

/** Does a local calendar date satisfy the year, month, day-of-month and day-of-week fields? */
export function cronMatchesDate(
  cron: OracleCron,
  year: number,
  month: number,
  day: number,
): boolean {
  return (
    cron.years.has(year) &&
    cron.months.has(month) &&
    dayOfMonthMatches(cron.dayOfMonth, year, month, day) &&
    dayOfWeekMatches(cron.dayOfWeek, year, month, day)
  );
}

/** Does a local wall time satisfy every field (at second 0)? */
export function cronMatchesWall(cron: OracleCron, wall: LocalWall): boolean {
  return (
    wall.second === 0 &&
    cron.minutes.has(wall.minute) &&
    cron.hours.has(wall.hour) &&
    cronMatchesDate(cron, wall.year, wall.month, wall.day)
  );
}

export interface CronOracleOptions {
  after: number;
  timeZone: string;
  start?: number;
  end?: number;
  count: number;
  /** Give up after this many Intl calls; the result then says how far it got. */
  maxLookups?: number;
}

export interface CronOracleResult {
  occurrences: number[];
  /** False when the walk stopped at maxLookups before finding `count` occurrences. */
  complete: boolean;
  /** Every whole minute from the first candidate up to (not including) this one was checked. */
  checkedUntil: number;
  lookups: number;
}

/**
 * Walks UTC minute by minute from the first whole minute after `after` (and not before `start`)
 * and keeps a minute when its local wall time matches the cron and that wall time did not already
 * happen earlier (the second pass of a fall-back hour). Spring-forward wall times are never seen
 * by the walk, so they are skipped by construction.
 *
 * The only shortcut: a UTC hour is skipped without asking Intl when no local date it could map
 * to (UTC date of its first instant − 16 h … of its last instant + 16 h) matches the date fields.
 */
export function oracleCronOccurrences(
  cron: OracleCron,
  options: CronOracleOptions,
): CronOracleResult {
  const clock = new WallClock(options.timeZone);
  const maxLookups = options.maxLookups ?? Number.POSITIVE_INFINITY;
  const lowest = Math.max(options.after + 1, options.start ?? Number.NEGATIVE_INFINITY);
  const lastYear = Math.max(...cron.years);
  const occurrences: number[] = [];
  let t = Math.ceil(lowest / MINUTE) * MINUTE;
  const done = (complete: boolean): CronOracleResult => ({
    occurrences,
    complete,
    checkedUntil: t,
    lookups: clock.lookups,
  });

  while (occurrences.length < options.count) {
    if (options.end !== undefined && t > options.end) return done(true);
    // Local year ≥ UTC year − 1, and it only grows from here.
    if (new Date(t).getUTCFullYear() - 1 > lastYear) return done(true);

    const hourStart = Math.floor(t / HOUR) * HOUR;
    if (!someLocalDateMayMatch(cron, hourStart - MAX_OFFSET, hourStart + HOUR - 1 + MAX_OFFSET)) {
      t = hourStart + HOUR;
      continue;
    }
    if (clock.lookups >= maxLookups) return done(false);
    if (cronMatchesWall(cron, clock.at(t)) && !clock.repeatsEarlierWall(t)) occurrences.push(t);
    t += MINUTE;
  }
  return done(true);
}

/** Does any UTC calendar date from that of `from` to that of `to` match the date fields? */
function someLocalDateMayMatch(cron: OracleCron, from: number, to: number): boolean {
  for (let day = Math.floor(from / DAY) * DAY; day <= to; day += DAY) {
    const d = new Date(day);
    if (cronMatchesDate(cron, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// rate(value unit)

const UNIT_MS: Record<string, number> = {
  minute: MINUTE,
  minutes: MINUTE,
  hour: HOUR,
  hours: HOUR,
  day: DAY,
  days: DAY,
};

/** The interval of `rate(n unit)` in ms. */
export function parseRateForOracle(expression: string): number {
  const m = /^rate\((\d+) (\w+)\)$/.exec(expression);
  const unit = UNIT_MS[m?.[2] ?? ''];
  if (!m || unit === undefined) throw new Error(`oracle: "${expression}" is not a rate`);
  return Number(m[1]) * unit;
}

export interface RateOracleOptions {
  after: number;
  start?: number;
  end?: number;
  count: number;
}

/**
 * anchor, anchor + interval, anchor + 2·interval, … where the anchor is `start`, or `after`
 * floored to the second when there is no start (the schedule begins when it is created). With a
 * start, only runs strictly after `after` count; every run is ≤ end.
 */
export function oracleRateOccurrences(intervalMs: number, options: RateOracleOptions): number[] {
  const anchor = options.start ?? Math.floor(options.after / 1000) * 1000;
  const out: number[] = [];
  for (let k = 0; out.length < options.count; k++) {
    if (k > 10_000_000) throw new Error('oracle: rate walk too long; generate a closer start');
    const instant = anchor + k * intervalMs;
    if (options.end !== undefined && instant > options.end) break;
    if (options.start !== undefined && instant <= options.after) continue;
    out.push(instant);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// at(yyyy-mm-ddThh:mm:ss)

export function parseAtForOracle(expression: string): LocalWall {
  const m = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expression);
  if (!m) throw new Error(`oracle: "${expression}" is not an at()`);
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { year, month, day, hour, minute, second };
}

/** Every instant whose wall clock in the zone reads `local`, earliest first. */
export function instantsShowingWall(timeZone: string, local: LocalWall): number[] {
  const naive = Date.UTC(
    local.year,
    local.month - 1,
    local.day,
    local.hour,
    local.minute,
    local.second,
  );
  const found: number[] = [];
  // Try every whole-minute offset within ±16 h, earliest instant first.
  for (
    let offsetMinutes = MAX_OFFSET / MINUTE;
    offsetMinutes >= -MAX_OFFSET / MINUTE;
    offsetMinutes--
  ) {
    const instant = naive - offsetMinutes * MINUTE;
    if (sameWall(localWallAt(timeZone, instant), local)) found.push(instant);
  }
  return found;
}

/** When at(local) runs: the first instant showing that wall time; none when it falls in a gap. */
export function oracleAtRun(local: LocalWall, timeZone: string): number | undefined {
  return instantsShowingWall(timeZone, local)[0];
}

// ---------------------------------------------------------------------------------------------
// Where the offsets change: used only to aim test inputs at daylight-saving transitions.

export interface OffsetChange {
  /** First instant (whole minute) with the new offset. */
  at: number;
  offsetBefore: number;
  offsetAfter: number;
}

export function offsetChanges(timeZone: string, from: number, to: number): OffsetChange[] {
  const changes: OffsetChange[] = [];
  let previous = offsetAt(timeZone, from);
  for (let probe = from + DAY; probe <= to; probe += DAY) {
    const offset = offsetAt(timeZone, probe);
    if (offset !== previous) {
      let lo = probe - DAY;
      let hi = probe;
      while (hi - lo > MINUTE) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
        if (offsetAt(timeZone, mid) === previous) lo = mid;
        else hi = mid;
      }
      changes.push({ at: hi, offsetBefore: previous, offsetAfter: offset });
      previous = offset;
    }
  }
  return changes;
}
