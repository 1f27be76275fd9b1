import { daysInMonth } from '../../scheduling/expression/calendar.js';
import { resolveTimeZone } from '../../scheduling/expression/index.js';
import { zoneRules } from '../../scheduling/expression/time-zone.js';

export type InstantResult = { ok: true; instant: Date } | { ok: false; message: string };

/**
 * Reads a date-time a person typed for --from, start= or end=: an ISO-8601 instant
 * (`2026-12-01T08:00:00Z`, `…+01:00`), or a local date-time / date with no offset, read in the
 * schedule's time zone — what people mean by "start=2026-12-01T08:00" for a Berlin schedule.
 */
export function parseInstant(label: string, text: string, timeZone = 'UTC'): InstantResult {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      text.trim(),
    );
  const example = 'such as 2026-12-01T08:00:00Z, or 2026-12-01T09:00 read in the time zone';
  if (!m)
    return { ok: false, message: `${label}: "${text}" is not an ISO-8601 date-time ${example}` };
  const [year, month, day, hour = 0, minute = 0, second = 0] = m
    .slice(1, 7)
    .map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const millis = Number((m[7] ?? '0').padEnd(3, '0'));
  const zoneSuffix = m[8];
  if (year === undefined || month === undefined || day === undefined) {
    return { ok: false, message: `${label}: "${text}" is not an ISO-8601 date-time ${example}` };
  }
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return { ok: false, message: `${label}: "${text}" is not a real date and time` };
  }
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (zoneSuffix) {
    const offsetMinutes = parseOffset(zoneSuffix);
    if (offsetMinutes === undefined)
      return { ok: false, message: `${label}: "${zoneSuffix}" is not a UTC offset` };
    return { ok: true, instant: new Date(wall - offsetMinutes * 60_000) };
  }
  const zone = resolveTimeZone(timeZone);
  if (!zone.ok) return { ok: false, message: zone.message };
  const [instant] = zoneRules(zone.timeZone).instantsOf(wall);
  if (instant === undefined) {
    return {
      ok: false,
      message: `${label}: ${text} does not exist in ${zone.timeZone} (clocks jump forward over it); pick a later time`,
    };
  }
  return { ok: true, instant: new Date(instant) };
}

function parseOffset(suffix: string): number | undefined {
  if (suffix.toUpperCase() === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(suffix);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (minutes > 18 * 60) return undefined;
  return m[1] === '-' ? -minutes : minutes;
}
