import type { CronFieldName, ExpressionError, TextSpan } from './types.js';

/** What the at, rate and cron parsers share: the limits, the field specs, how to fail. */

/** EventBridge caps ScheduleExpression at 256 characters, in Scheduler and in rules. */
export const MAX_EXPRESSION_LENGTH = 256;
/** Years a cron year field may name (EventBridge's documented range). */
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2199;

export const monthNames = [
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
/** EventBridge numbers days of the week from 1 = Sunday. */
export const weekdayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export interface FieldSpec {
  name: CronFieldName;
  min: number;
  max: number;
  /** Wrap-around ranges like hours 20-2 are allowed in cyclic fields, not in years. */
  cyclic: boolean;
  names?: string[];
  rangeHint: string;
}

export const fieldSpecs: FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59, cyclic: true, rangeHint: '0-59' },
  { name: 'hours', min: 0, max: 23, cyclic: true, rangeHint: '0-23' },
  { name: 'day-of-month', min: 1, max: 31, cyclic: true, rangeHint: '1-31' },
  {
    name: 'month',
    min: 1,
    max: 12,
    cyclic: true,
    names: monthNames,
    rangeHint: '1-12 (or JAN-DEC)',
  },
  {
    name: 'day-of-week',
    min: 1,
    max: 7,
    cyclic: true,
    names: weekdayNames,
    rangeHint: '1-7 (1 = Sunday)',
  },
  {
    name: 'year',
    min: MIN_YEAR,
    max: MAX_YEAR,
    cyclic: false,
    rangeHint: `${MIN_YEAR}-${MAX_YEAR}`,
  },
];

export const fieldOrder = 'minutes hours day-of-month month day-of-week year';

export class ParseFailure extends Error {
  constructor(readonly detail: ExpressionError) {
    super(detail.message);
  }
}

export function fail(
  message: string,
  field?: ExpressionError['field'],
  span?: TextSpan,
  fix?: string,
): never {
  throw new ParseFailure({
    code: 'INVALID_EXPRESSION',
    message,
    ...(field ? { field } : {}),
    ...(span ? { span } : {}),
    ...(fix ? { fix } : {}),
  });
}
