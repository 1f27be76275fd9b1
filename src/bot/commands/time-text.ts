import { formatInstantIn } from '../../scheduling/expression/index.js';
import { inZone, wallParts } from '../views/kit.js';

/**
 * Times as a person at a terminal reads them: the schedule's own zone first (what the
 * expression means), a phrase for how far off it is, and the reader's zone where it differs.
 * Slack does the same with its date token (views/kit.ts `when`).
 */

/** Who is reading, and when: the terminal's and the CLI's zone is LOCAL_TZ or the machine's. */
export interface TextView {
  timeZone: string;
  now: Date;
}

export function utcView(now = new Date()): TextView {
  return { timeZone: 'UTC', now };
}

/** `Thu 2026-12-03 08:00 Europe/Berlin, in 4 min (07:00 UTC for you)` */
export function runText(instant: Date, scheduleZone: string, view: TextView): string {
  const relative = relativeText(instant, view);
  const theirs = view.timeZone !== scheduleZone ? readerTime(instant, scheduleZone, view) : '';
  return `${withSeconds(inZone(instant, scheduleZone), instant)}${relative ? `, ${relative}` : ''}${theirs}`;
}

/** A rate() anchored at 08:16:37 runs at :37: the seconds are shown when there are any. */
function withSeconds(label: string, instant: Date): string {
  const seconds = instant.getUTCSeconds();
  if (seconds === 0) return label;
  return label.replace(/ (\d{2}:\d{2}) /, ` $1:${String(seconds).padStart(2, '0')} `);
}

/** An instant for the reader alone (history, audit, expiry): ISO with the reader's offset. */
export function instantText(instant: Date, view: TextView): string {
  return formatInstantIn(instant, view.timeZone);
}

function readerTime(instant: Date, scheduleZone: string, view: TextView): string {
  const theirs = wallParts(instant, view.timeZone);
  const ours = wallParts(instant, scheduleZone);
  if (!theirs) return '';
  const sameDay = ours && ours.day === theirs.day && ours.month === theirs.month;
  return sameDay
    ? ` (${theirs.hour}:${theirs.minute} ${view.timeZone} for you)`
    : ` (${inZone(instant, view.timeZone)} for you)`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "in 4 min", "in 3 h", "tomorrow", "in 5 days", "2 h ago"; nothing beyond a year. */
export function relativeText(instant: Date, view: TextView): string {
  const delta = instant.getTime() - view.now.getTime();
  const ahead = delta >= 0;
  const size = Math.abs(delta);
  if (size < MINUTE) return ahead ? 'in under a minute' : 'just now';
  const phrase = (n: number, unit: string) => (ahead ? `in ${n} ${unit}` : `${n} ${unit} ago`);
  if (size < HOUR) return phrase(Math.round(size / MINUTE), 'min');
  // Days as the reader's calendar counts them; the clock time is written just before.
  const days = calendarDaysBetween(view.now, instant, view.timeZone);
  if (days === 0) return phrase(Math.round(size / HOUR), 'h');
  if (Math.abs(days) === 1) return ahead ? 'tomorrow' : 'yesterday';
  if (size < 60 * DAY) return phrase(Math.abs(days), 'days');
  if (size < 365 * DAY) return phrase(Math.round(Math.abs(days) / 30.44), 'months');
  return '';
}

/** Calendar days from `a` to `b` in a zone: 1 for tomorrow, whatever the hour. */
function calendarDaysBetween(a: Date, b: Date, timeZone: string): number {
  const day = (d: Date) => {
    const p = wallParts(d, timeZone);
    return p ? Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day)) : d.getTime();
  };
  return Math.round((day(b) - day(a)) / DAY);
}
