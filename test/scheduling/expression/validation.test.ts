import { describe, expect, it } from 'vitest';
import { parseExpression } from '../../../src/scheduling/expression/index.js';

/** Rejections: each names the part of the expression that is wrong, in words. */
const invalid: Array<{ expression: string; says: RegExp; field?: string; dialect?: 'rules' }> = [
  // The invalid examples of the reference (eventbridge-scheduler.md §1.3, rules §1.5)
  {
    expression: 'cron(0 12 * * * *)',
    says: /cron needs \? in day-of-month or day-of-week/,
    field: 'day-of-week',
  },
  {
    expression: 'cron(0 12 1 * MON *)',
    says: /cron needs \? in day-of-month or day-of-week/,
    field: 'day-of-week',
  },
  {
    expression: 'cron(0 8 ? * 3#1,6#3 *)',
    says: /day-of-week: only one # is allowed/,
    field: 'day-of-week',
  },
  { expression: 'cron(* * * * *)', says: /cron needs 6 fields .* but got 5/ },
  { expression: 'cron(0/5, 9-18, ?, *, MON-FRI, *)', says: /separated by spaces, not commas/ },
  {
    expression: 'rate(1 minutes)',
    says: /rules want the singular for 1: rate\(1 minute\)/,
    field: 'rate',
    dialect: 'rules',
  },
  {
    expression: 'rate(3 minute)',
    says: /rules want the plural for 3: rate\(3 minutes\)/,
    field: 'rate',
    dialect: 'rules',
  },
  {
    expression: 'at(2026-12-24T09:00:00)',
    says: /rules have no one-time schedules/,
    field: 'at',
    dialect: 'rules',
  },

  // Fields and ranges
  {
    expression: 'cron(0 8 ? * 8 *)',
    says: /^day-of-week: 8 is out of range 1-7 \(1 = Sunday\)$/,
    field: 'day-of-week',
  },
  {
    expression: 'cron(60 8 * * ? *)',
    says: /^minutes: 60 is out of range 0-59$/,
    field: 'minutes',
  },
  { expression: 'cron(0 24 * * ? *)', says: /^hours: 24 is out of range 0-23$/, field: 'hours' },
  {
    expression: 'cron(0 8 32 * ? *)',
    says: /^day-of-month: 32 is out of range 1-31$/,
    field: 'day-of-month',
  },
  {
    expression: 'cron(0 8 0 * ? *)',
    says: /^day-of-month: 0 is out of range 1-31$/,
    field: 'day-of-month',
  },
  {
    expression: 'cron(0 8 1 13 ? *)',
    says: /^month: 13 is out of range 1-12 \(or JAN-DEC\)$/,
    field: 'month',
  },
  {
    expression: 'cron(0 8 ? * 0 *)',
    says: /day-of-week: 0 is out of range 1-7 \(1 = Sunday\)/,
    field: 'day-of-week',
  },
  {
    expression: 'cron(0 8 1 * ? 1969)',
    says: /^year: 1969 is out of range 1970-2199$/,
    field: 'year',
  },
  {
    expression: 'cron(0 8 1 * ? 2200)',
    says: /^year: 2200 is out of range 1970-2199$/,
    field: 'year',
  },
  {
    expression: 'cron(0 8 1 * ? 2025-2023)',
    says: /year: the range 2025-2023 goes backwards/,
    field: 'year',
  },
  {
    expression: 'cron(0 8 ? * MOM *)',
    says: /day-of-week: "MOM" is not a day name/,
    field: 'day-of-week',
  },
  {
    expression: 'cron(0 8 1 MON ? *)',
    says: /month: "MON" is not a month name .*MON is a day name/,
    field: 'month',
  },
  { expression: 'cron(0/0 * * * ? *)', says: /minutes: a step of 0/, field: 'minutes' },
  {
    expression: 'cron(0/60 * * * ? *)',
    says: /minutes: the step 60 .* is larger than the field's range/,
    field: 'minutes',
  },
  {
    expression: 'cron(0,,5 * * * ? *)',
    says: /minutes: .* has an empty value in its list/,
    field: 'minutes',
  },
  {
    expression: 'cron(? 8 * * ? *)',
    says: /minutes: \? is allowed only in day-of-month and day-of-week/,
    field: 'minutes',
  },
  {
    expression: 'cron(0 8 ? * ? *)',
    says: /\? in day-of-month or in day-of-week, not in both/,
    field: 'day-of-month',
  },
  {
    expression: 'cron(0 8 L-3 * ? *)',
    says: /day-of-month: "L-3" .* not supported/,
    field: 'day-of-month',
  },
  {
    expression: 'cron(0 8 1,L * ? *)',
    says: /day-of-month: "L" can't be combined with other days/,
    field: 'day-of-month',
  },
  {
    expression: 'cron(0 8 1-15W * ? *)',
    says: /day-of-month: .* can't be combined with other days/,
    field: 'day-of-month',
  },
  {
    expression: 'cron(0 8 32W * ? *)',
    says: /day-of-month: 32 in "32W" is out of range 1-31/,
    field: 'day-of-month',
  },
  {
    expression: 'cron(0 8 ? * 2#6 *)',
    says: /day-of-week: #6 is out of range 1-5/,
    field: 'day-of-week',
  },
  {
    expression: 'cron(0 8 ? * 8#1 *)',
    says: /day-of-week: 8 is out of range 1-7/,
    field: 'day-of-week',
  },
  {
    expression: 'cron(0 8 ? * 6L,2 *)',
    says: /day-of-week: .* combines L with other days/,
    field: 'day-of-week',
  },
  {
    expression: 'cron(0 8 * L * *)',
    says: /month: "L" can't be used here \(L, W and # belong/,
    field: 'month',
  },
  { expression: 'cron(0 8 * * ? * 2026)', says: /but got 7: EventBridge has no seconds field/ },
  { expression: 'cron(0 8 * *)', says: /cron needs 6 fields .* but got 4/ },
  { expression: 'cron()', says: /cron needs 6 fields .* and got none/ },
  { expression: 'cron(0 8 * * ? *', says: /missing its closing parenthesis/ },

  // rate()
  { expression: 'rate(0 minutes)', says: /rate: the value must be at least 1/, field: 'rate' },
  { expression: 'rate(-5 minutes)', says: /rate: "-5" is not a whole number/, field: 'rate' },
  { expression: 'rate(1.5 hours)', says: /rate: "1.5" is not a whole number/, field: 'rate' },
  {
    expression: 'rate(5 weeks)',
    says: /rate: "weeks" is not a unit; use minutes, hours or days/,
    field: 'rate',
  },
  { expression: 'rate(5 Minutes)', says: /write it in lower case/, field: 'rate' },
  {
    expression: 'rate(5 minute)',
    says: /rate: write the plural for 5: rate\(5 minutes\)/,
    field: 'rate',
  },
  {
    expression: 'rate(5minutes)',
    says: /rate: "5minutes" should be a number and a unit separated by one space/,
    field: 'rate',
  },
  { expression: 'rate(99999999 days)', says: /more than 100 years/, field: 'rate' },

  // at()
  { expression: 'at(2026-12-24T09:00:00Z)', says: /at: .* has a time-zone suffix/, field: 'at' },
  {
    expression: 'at(2026-12-24T09:00:00+01:00)',
    says: /at: .* has a time-zone suffix/,
    field: 'at',
  },
  {
    expression: 'at(2026-12-24T09:00:00.000)',
    says: /at: .* has fractions of a second/,
    field: 'at',
  },
  { expression: 'at(2026-12-24 09:00:00)', says: /a capital T between date and time/, field: 'at' },
  {
    expression: 'at(2026-12-24T09:00)',
    says: /a capital T between date and time, and seconds/,
    field: 'at',
  },
  {
    expression: 'at(2026-02-29T09:00:00)',
    says: /at: 2026-02-29 is not a date \(February 2026 has 28 days\)/,
    field: 'at',
  },
  {
    expression: 'at(2026-13-01T09:00:00)',
    says: /at: month 13 is out of range 01-12/,
    field: 'at',
  },
  { expression: 'at(2026-12-24T24:00:00)', says: /at: hour 24 is out of range 00-23/, field: 'at' },

  // The whole expression
  { expression: '', says: /empty/ },
  { expression: '0 8 * * ? *', says: /is not a schedule expression/ },
  { expression: 'every(5 minutes)', says: /"every\(…\)" is not a schedule expression/ },
  { expression: 'CRON(0 8 * * ? *)', says: /write cron\(…\) in lower case/ },
  { expression: 'cron (0 8 * * ? *)', says: /no space is allowed between cron and "\("/ },
  { expression: `cron(0 8 * * ? ${'1,'.repeat(130)}2026)`, says: /EventBridge allows at most 256/ },
];

describe('a schedule expression that EventBridge would reject', () => {
  it.each(invalid)('$expression is rejected: $says', ({ expression, says, field, dialect }) => {
    const result = parseExpression(expression, dialect ? { dialect } : {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_EXPRESSION');
    expect(result.error.message).toMatch(says);
    if (field) expect(result.error.field).toBe(field);
  });

  it('points at the offending text', () => {
    const text = 'cron(0 8 ? * 8 *)';
    const result = parseExpression(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.span).toBeDefined();
    expect(text.slice(result.error.span?.start, result.error.span?.end)).toBe('8');
    expect(result.error.span?.start).toBe(text.indexOf('* 8') + 2);
  });
});

describe('a schedule expression EventBridge accepts', () => {
  const valid = [
    // Documented examples
    'cron(0 10 * * ? *)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0/15 * * * ? *)',
    'cron(0/30 20-2 ? * MON-FRI *)',
    'cron(5,35 14 * * ? *)',
    'cron(15 10 ? * 6L 2019-2022)',
    'cron(0 9 ? * 2#1 *)',
    'cron(0 12 3W * ? *)',
    'cron(0 0 L * ? *)',
    'cron(0 0 LW * ? *)',
    'cron(0 0 ? * L *)',
    'cron(0 8 1-15/2 JAN-MAR ? 2026/2)',
    'cron(0 8 ? * sun,sat *)',
    'cron(0   8  ?  *  MON-FRI  *)',
    'rate(1 minute)',
    'rate(1 minutes)', // Scheduler itself writes rate(1 days)
    'rate(1 days)',
    'rate(5 hours)',
    'at(2026-12-24T09:00:00)',
    '  cron(0 8 * * ? *)  ',
  ];
  it.each(valid)('%s', (expression) => {
    const result = parseExpression(expression);
    expect(result.ok ? 'accepted' : result.error.message).toBe('accepted');
  });

  it('reads day-of-week from Sunday = 1, and names as numbers', () => {
    const result = parseExpression('cron(0 8 ? * MON-FRI *)');
    expect(
      result.ok && result.expression.kind === 'cron' && result.expression.dayOfWeek,
    ).toMatchObject({
      kind: 'values',
      values: [2, 3, 4, 5, 6],
    });
  });

  it('expands a wrap-around hour range across midnight', () => {
    const result = parseExpression('cron(0 20-2 * * ? *)');
    expect(
      result.ok && result.expression.kind === 'cron' && result.expression.hours.values,
    ).toEqual([0, 1, 2, 20, 21, 22, 23]);
  });

  it('accepts the rules form of rate in both services', () => {
    for (const expression of ['rate(1 hour)', 'rate(5 hours)']) {
      expect(parseExpression(expression, { dialect: 'rules' }).ok).toBe(true);
      expect(parseExpression(expression).ok).toBe(true);
    }
  });
});
