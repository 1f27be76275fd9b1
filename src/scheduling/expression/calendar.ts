/**
 * Proleptic Gregorian calendar arithmetic on plain integers. The engine works on "wall time"
 * (a local date-time encoded as if it were UTC milliseconds), so it never builds Date objects on
 * its hot path.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Inverse of daysFromCivil. */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const monthLengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (monthLengths[month - 1] ?? 31);
}

/** 0 = Sunday … 6 = Saturday, for a day count since 1970-01-01 (a Thursday). */
export function weekdayOfDays(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

export interface WallFields extends CivilDate {
  hour: number;
  minute: number;
  second: number;
}

export function wallFromFields(f: WallFields): number {
  return (
    daysFromCivil(f.year, f.month, f.day) * DAY_MS +
    f.hour * HOUR_MS +
    f.minute * MINUTE_MS +
    f.second * 1000
  );
}

export function fieldsFromWall(wall: number): WallFields {
  const days = Math.floor(wall / DAY_MS);
  const rest = wall - days * DAY_MS;
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(rest / HOUR_MS),
    minute: Math.floor((rest % HOUR_MS) / MINUTE_MS),
    second: Math.floor((rest % MINUTE_MS) / 1000),
  };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `2027-03-14 02:30` — how a person reads a wall time. */
export function formatWall(wall: number, { seconds = false } = {}): string {
  const f = fieldsFromWall(wall);
  const time = `${pad2(f.hour)}:${pad2(f.minute)}${seconds ? `:${pad2(f.second)}` : ''}`;
  return `${f.year}-${pad2(f.month)}-${pad2(f.day)} ${time}`;
}

/** `08:00` */
export function formatClock(hour: number, minute: number): string {
  return `${pad2(hour)}:${pad2(minute)}`;
}

/** ISO-8601 UTC to the second, the form EventBridge uses: `2022-03-22T18:59:43Z`. */
/**
 * An instant as ISO 8601 with a zone's offset (`2026-12-03T08:00:00+01:00`; UTC is `Z`): a
 * person reads the local time, a program reads the same instant. `offsetMs` is the zone's
 * offset at that instant (time-zone.ts knows it).
 */
export function formatInstantWithOffset(instant: Date | number, offsetMs: number): string {
  const ms = Math.floor((typeof instant === 'number' ? instant : instant.getTime()) / 1000) * 1000;
  if (offsetMs === 0) return formatInstant(ms);
  const local = new Date(ms + offsetMs).toISOString().slice(0, 19);
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const sign = offsetMs < 0 ? '-' : '+';
  return `${local}${sign}${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

export function formatInstant(instant: Date | number): string {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
