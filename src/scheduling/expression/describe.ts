import { formatClock } from './calendar.js';
import { MAX_YEAR, MIN_YEAR } from './parse-shared.js';
import type {
  CronExpression,
  CronItem,
  DayOfMonthSpec,
  DayOfWeekSpec,
  PlainField,
  ScheduleExpression,
} from './types.js';

const weekdayLong = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const monthLong = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const ordinals = ['first', 'second', 'third', 'fourth', 'fifth'];

/**
 * A sentence a person can check a schedule against: "at 08:00, Monday through Friday,
 * Europe/Berlin". Pure: no clock, no zone lookups.
 */
export function describeExpression(expression: ScheduleExpression, timeZone = 'UTC'): string {
  switch (expression.kind) {
    case 'at': {
      const { year, month, day, hour, minute, second } = expression.local;
      const seconds = second ? `:${String(second).padStart(2, '0')}` : '';
      return `once, on ${day} ${monthLong[month - 1]} ${year} at ${formatClock(hour, minute)}${seconds}, ${timeZone}`;
    }
    case 'rate':
      return expression.value === 1
        ? `every ${expression.unit.slice(0, -1)}`
        : `every ${expression.value} ${expression.unit}`;
    case 'cron': {
      const time = describeTime(expression);
      let days = describeDays(expression);
      let months = describeMonths(expression.month);
      // "every 15 minutes, every day" says "every" once too often.
      if (days === 'every day' && time.startsWith('every')) days = '';
      const dom = expression.dayOfMonth;
      if (
        dom.kind === 'values' &&
        dom.values.length === 1 &&
        expression.month.values.length === 1
      ) {
        days = `on ${dom.values[0]} ${monthLong[(expression.month.values[0] ?? 1) - 1]}`;
        months = '';
      }
      return [time, days, months, describeYears(expression.year), timeZone]
        .filter((part) => part !== '')
        .join(', ');
    }
  }
}

function isFull(field: PlainField, min: number, max: number): boolean {
  return field.values.length === max - min + 1;
}

function joinWords(words: string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** A single stepped item such as 0/15 or 8-17/2, else undefined. */
function steppedItem(field: PlainField): CronItem | undefined {
  const [only] = field.items;
  return field.items.length === 1 && only && only.step > 1 ? only : undefined;
}

/** "every 5 minutes", "every minute", "at minutes 5 and 35". */
function describeTime(c: CronExpression): string {
  const minutes = c.minutes;
  const hours = c.hours;
  const everyHour = isFull(hours, 0, 23);
  const minuteStep = steppedItem(minutes);
  const hourWindow = describeHourWindow(hours, minutes);

  if (isFull(minutes, 0, 59)) return everyHour ? 'every minute' : `every minute ${hourWindow}`;
  if (minuteStep && minuteStep.from === minuteStep.to) {
    // "5/60" style collapses to a single minute; fall through to the list forms.
  } else if (
    minuteStep &&
    (minuteStep.wildcard || (minuteStep.from < minuteStep.step && minuteStep.to === 59))
  ) {
    const offset =
      minuteStep.from === 0 || minuteStep.wildcard ? '' : ` from minute ${minuteStep.from}`;
    const base = `every ${minuteStep.step} minutes${offset}`;
    return everyHour ? base : `${base} ${hourWindow}`;
  }
  if (hours.values.length <= 6 && minutes.values.length * hours.values.length <= 12) {
    const times: string[] = [];
    for (const h of hours.values) for (const m of minutes.values) times.push(formatClock(h, m));
    return `at ${joinWords(times)}`;
  }
  const minuteList = minutes.values.map((m) => String(m).padStart(2, '0'));
  const atMinutes =
    minutes.values.length === 1
      ? `at minute ${minuteList[0]}`
      : `at minutes ${joinWords(minuteList)}`;
  return everyHour ? `${atMinutes} of every hour` : `${atMinutes} ${hourWindow}`;
}

/** "from 08:00 to 17:55" for a contiguous (possibly midnight-crossing) hour range. */
function describeHourWindow(hours: PlainField, minutes: PlainField): string {
  const [only] = hours.items;
  const lastMinute = minutes.values[minutes.values.length - 1] ?? 0;
  const firstMinute = minutes.values[0] ?? 0;
  if (hours.items.length === 1 && only && only.step === 1 && only.from !== only.to) {
    return `from ${formatClock(only.from, firstMinute)} to ${formatClock(only.to, lastMinute)}`;
  }
  if (hours.values.length === 1)
    return `from ${formatClock(hours.values[0] ?? 0, firstMinute)} to ${formatClock(hours.values[0] ?? 0, lastMinute)}`;
  return `in hours ${joinWords(hours.values.map((h) => String(h).padStart(2, '0')))}`;
}

function describeDays(c: CronExpression): string {
  return c.dayOfMonth.kind === 'any'
    ? describeWeekdays(c.dayOfWeek)
    : describeMonthDays(c.dayOfMonth);
}

function describeMonthDays(dom: Exclude<DayOfMonthSpec, { kind: 'any' }>): string {
  switch (dom.kind) {
    case 'last':
      return 'on the last day of the month';
    case 'last-weekday':
      return 'on the last weekday of the month';
    case 'nearest-weekday':
      return `on the weekday nearest day ${dom.day} of the month`;
    case 'values': {
      if (isFull(dom, 1, 31)) return 'every day';
      const step = steppedItem(dom);
      if (step && (step.wildcard || step.to === 31))
        return `every ${step.step} days of the month from day ${step.from}`;
      return `on ${dom.values.length === 1 ? 'day' : 'days'} ${describeRuns(dom.values, String)} of the month`;
    }
  }
}

function describeWeekdays(dow: DayOfWeekSpec): string {
  switch (dow.kind) {
    case 'any':
      return 'every day';
    case 'last-of-month':
      return `on the last ${weekdayLong[dow.weekday - 1]} of the month`;
    case 'nth-of-month':
      return `on the ${ordinals[dow.nth - 1]} ${weekdayLong[dow.weekday - 1]} of the month`;
    case 'values':
      if (dow.values.length === 7) return 'every day';
      return describeRuns(dow.values, (d) => weekdayLong[d - 1] ?? String(d));
  }
}

/** "Monday through Friday", "1, 15 and 20 through 25". Runs of three or more become ranges. */
function describeRuns(values: number[], name: (v: number) => string): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && (values[j + 1] ?? 0) === (values[j] ?? 0) + 1) j++;
    const first = values[i] ?? 0;
    const last = values[j] ?? 0;
    if (j - i >= 2) parts.push(`${name(first)} through ${name(last)}`);
    else for (let k = i; k <= j; k++) parts.push(name(values[k] ?? 0));
    i = j + 1;
  }
  return joinWords(parts);
}

function describeMonths(month: PlainField): string {
  if (isFull(month, 1, 12)) return '';
  return `in ${describeRuns(month.values, (m) => monthLong[m - 1] ?? String(m))}`;
}

function describeYears(year: PlainField): string {
  if (isFull(year, MIN_YEAR, MAX_YEAR)) return '';
  if (year.values.length === 1) return `in ${year.values[0]} only`;
  return `in ${describeRuns(year.values, String)}`;
}
