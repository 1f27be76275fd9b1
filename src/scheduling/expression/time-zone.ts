import { closest } from '../closest.js';
import { DAY_MS, daysFromCivil, formatInstantWithOffset, MINUTE_MS } from './calendar.js';

/**
 * IANA time-zone rules, read from the runtime's ICU data through Intl and cached as a list of
 * offset transitions per UTC year. Intl is slow (microseconds a call), so the engine asks it only
 * to discover transitions; after that an offset is a lookup in a handful of numbers.
 */

interface Transition {
  /** UTC ms of the first instant with the new offset. */
  at: number;
  /** Offset (ms, local minus UTC) from `at` on. */
  offset: number;
}

interface YearRules {
  /** Offset at the first instant of the UTC year. */
  initialOffset: number;
  transitions: Transition[];
}

/** Sample the offset every week and bisect where it changed. Transitions are months apart. */
const SAMPLE_STEP_MS = 7 * DAY_MS;

export class ZoneRules {
  readonly name: string;
  private readonly formatter: Intl.DateTimeFormat;
  private readonly years = new Map<number, YearRules>();
  /** Zones that never change offset (UTC, Etc/GMT+5) skip the tables. */
  private readonly fixedOffset: number | null;

  constructor(name: string) {
    this.name = name;
    this.formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    this.fixedOffset = /^(UTC|GMT|Etc\/.+)$/.test(name) ? this.intlOffset(0) : null;
  }

  /** Offset (local minus UTC, in ms) in force at a UTC instant. */
  offsetAt(utc: number): number {
    if (this.fixedOffset !== null) return this.fixedOffset;
    const rules = this.yearRules(utcYear(utc));
    let offset = rules.initialOffset;
    for (const t of rules.transitions) {
      if (t.at > utc) break;
      offset = t.offset;
    }
    return offset;
  }

  /** Local wall time (UTC-encoded ms) of a UTC instant. */
  wallAt(utc: number): number {
    return utc + this.offsetAt(utc);
  }

  /**
   * Every UTC instant whose local wall time is `wall`, earliest first: none in a spring-forward
   * gap, two in a fall-back overlap, one otherwise.
   */
  instantsOf(wall: number): number[] {
    const before = this.offsetAt(wall - DAY_MS);
    const after = this.offsetAt(wall + DAY_MS);
    if (before === after) {
      const candidate = wall - before;
      return this.offsetAt(candidate) === before ? [candidate] : [];
    }
    const result: number[] = [];
    // The larger offset gives the earlier instant.
    for (const offset of before > after ? [before, after] : [after, before]) {
      const candidate = wall - offset;
      if (this.offsetAt(candidate) === offset) result.push(candidate);
    }
    return result;
  }

  /** Offset changes in [from, to), in order. */
  transitionsBetween(from: number, to: number): Array<Transition & { offsetBefore: number }> {
    const out: Array<Transition & { offsetBefore: number }> = [];
    for (let year = utcYear(from); year <= utcYear(to); year++) {
      const rules = this.yearRules(year);
      let previous = rules.initialOffset;
      for (const t of rules.transitions) {
        if (t.at >= from && t.at < to) out.push({ ...t, offsetBefore: previous });
        previous = t.offset;
      }
    }
    return out;
  }

  private yearRules(year: number): YearRules {
    const cached = this.years.get(year);
    if (cached) return cached;
    const start = daysFromCivil(year, 1, 1) * DAY_MS;
    const end = daysFromCivil(year + 1, 1, 1) * DAY_MS;
    const initialOffset = this.intlOffset(start);
    const transitions: Transition[] = [];
    let previousAt = start;
    let previousOffset = initialOffset;
    for (
      let probe = Math.min(start + SAMPLE_STEP_MS, end);
      ;
      probe = Math.min(probe + SAMPLE_STEP_MS, end)
    ) {
      const offset = this.intlOffset(probe);
      if (offset !== previousOffset) {
        transitions.push(this.bisect(previousAt, previousOffset, probe));
      }
      previousAt = probe;
      previousOffset = offset;
      if (probe >= end) break;
    }
    const rules = { initialOffset, transitions: transitions.filter((t) => t.at < end) };
    this.years.set(year, rules);
    return rules;
  }

  /** The minute in (low, high] at which the offset stops being `lowOffset`. */
  private bisect(low: number, lowOffset: number, high: number): Transition {
    let lo = low;
    let hi = high;
    while (hi - lo > MINUTE_MS) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
      if (this.intlOffset(mid) === lowOffset) lo = mid;
      else hi = mid;
    }
    return { at: hi, offset: this.intlOffset(hi) };
  }

  private intlOffset(utc: number): number {
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const part of this.formatter.formatToParts(utc)) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        case 'era':
          bc = part.value.startsWith('B');
          break;
      }
    }
    if (bc) year = 1 - year;
    const wall =
      daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000;
    return wall - Math.floor(utc / 1000) * 1000;
  }
}

/** The UTC calendar year of an instant, without building a Date (this is on the hot path). */
function utcYear(utc: number): number {
  const days = Math.floor(utc / DAY_MS);
  let year = 1970 + Math.floor(days / 365.2425);
  if (daysFromCivil(year, 1, 1) > days) year--;
  else if (daysFromCivil(year + 1, 1, 1) <= days) year++;
  return year;
}

const zoneCache = new Map<string, ZoneRules>();

/** Cached rules of a zone already known to be valid (see resolveTimeZone). */
export function zoneRules(name: string): ZoneRules {
  let rules = zoneCache.get(name);
  if (!rules) {
    rules = new ZoneRules(name);
    zoneCache.set(name, rules);
  }
  return rules;
}

export type TimeZoneResult = { ok: true; timeZone: string } | { ok: false; message: string };

/**
 * Checks a ScheduleExpressionTimezone value: an IANA zone name of at most 50 characters. Returns
 * the name with its case fixed (Intl matches case-insensitively; AWS wants the real spelling).
 * Links such as US/Eastern stay as written: they are valid tz names.
 */
export function resolveTimeZone(input: string): TimeZoneResult {
  const name = input.trim();
  if (name === '')
    return {
      ok: false,
      message: 'time zone: empty — give an IANA name such as Europe/Berlin or UTC',
    };
  if (name.length > 50)
    return {
      ok: false,
      message: `time zone: "${name.slice(0, 50)}…" is longer than 50 characters`,
    };
  if (/^[+-]\d|^(GMT|UTC)[+-]/i.test(name)) {
    return {
      ok: false,
      message: `time zone: "${name}" is an offset, not a zone — use a zone name such as Europe/Berlin (or Etc/GMT-1 for a fixed UTC+1)`,
    };
  }
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    const guess = closestZone(name);
    return {
      ok: false,
      message: guess
        ? `time zone: "${name}" is not an IANA time zone (did you mean ${guess}?)`
        : `time zone: "${name}" is not an IANA time zone (try Europe/Berlin, America/New_York or UTC)`,
    };
  }
  return { ok: true, timeZone: resolved.toLowerCase() === name.toLowerCase() ? resolved : name };
}

/** The zone a misspelt name most likely means: the whole name, else its city (Tokio → Asia/Tokyo). */
function closestZone(name: string): string | undefined {
  const zones = [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  const whole = closest(name, zones);
  if (whole) return whole;
  const city = name.split('/').at(-1) ?? name;
  const cities = zones.map((zone) => zone.split('/').at(-1) ?? zone);
  const match = closest(city, cities);
  return match ? zones[cities.indexOf(match)] : undefined;
}

/** `2026-12-03T08:00:00+01:00`: the instant in a zone's local time, with its offset then. */
export function formatInstantIn(instant: Date | number, timeZone: string): string {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  return formatInstantWithOffset(ms, zoneRules(timeZone).offsetAt(ms));
}
