import { daysInMonth } from './calendar.js';
import { monthLong } from './describe.js';
import { fail } from './parse-shared.js';
import type { AtExpression } from './types.js';

// ---------------------------------------------------------------------------------------------
// at(yyyy-mm-ddThh:mm:ss)

export function parseAt(text: string, body: string, bodyStart: number): AtExpression {
  const span = { start: bodyStart, end: bodyStart + body.length };
  const example = 'at(2026-12-24T09:00:00)';
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(body) && /T/.test(body)) {
    fail(
      `at: "${body}" has a time-zone suffix; write the local time alone, as in ${example}, and set the time zone separately`,
      'at',
      span,
    );
  }
  if (/\.\d+$/.test(body)) {
    fail(
      `at: "${body}" has fractions of a second; write whole seconds, as in ${example}`,
      'at',
      span,
    );
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!m) {
    const hint =
      /^\d{4}-\d{2}-\d{2}[ t]\d{2}:\d{2}(:\d{2})?$/.test(body) ||
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(body)
        ? ' (a capital T between date and time, and seconds)'
        : '';
    fail(
      `at: "${body}" is not a date-time of the form yyyy-mm-ddThh:mm:ss${hint}, as in ${example}`,
      'at',
      span,
    );
  }
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12) fail(`at: month ${pad(month)} is out of range 01-12`, 'at', span);
  const monthLength = daysInMonth(year, month);
  if (day < 1 || day > monthLength) {
    fail(
      `at: ${year}-${pad(month)}-${pad(day)} is not a date (${monthLong[month - 1]} ${year} has ${monthLength} days)`,
      'at',
      span,
    );
  }
  if (hour > 23) fail(`at: hour ${pad(hour)} is out of range 00-23`, 'at', span);
  if (minute > 59) fail(`at: minute ${pad(minute)} is out of range 00-59`, 'at', span);
  if (second > 59) fail(`at: second ${pad(second)} is out of range 00-59`, 'at', span);
  return { kind: 'at', text, local: { year, month, day, hour, minute, second } };
}

const pad = (n: number) => String(n).padStart(2, '0');
