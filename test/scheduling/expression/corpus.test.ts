import { describe, expect, it } from 'vitest';
import {
  nextOccurrences,
  parseExpression,
  type ScheduleExpression,
} from '../../../src/scheduling/expression/index.js';

/**
 * A table of schedules with their runs worked out by hand from AWS's documentation and a
 * calendar — not from the engine. Each row: the expression, its zone, the instant to look from,
 * and the runs EventBridge Scheduler would make next (all of them, when the list is finite).
 */
interface Case {
  name: string;
  expression: string;
  tz?: string;
  from: string;
  start?: string;
  end?: string;
  runs: string[];
  /** Ask for more than listed to prove the list ends there. */
  exhaustive?: boolean;
}

const cases: Case[] = [
  // AWS documentation examples (reference §1.4)
  {
    name: '10:00 every day',
    expression: 'cron(0 10 * * ? *)',
    from: '2026-03-01T11:00:00Z',
    runs: ['2026-03-02T10:00:00Z', '2026-03-03T10:00:00Z'],
  },
  {
    name: '12:15 every day',
    expression: 'cron(15 12 * * ? *)',
    from: '2026-03-01T00:00:00Z',
    runs: ['2026-03-01T12:15:00Z', '2026-03-02T12:15:00Z'],
  },
  {
    name: '18:00 Monday to Friday, over a weekend',
    expression: 'cron(0 18 ? * MON-FRI *)',
    from: '2026-01-02T18:00:00Z', // a Friday, exactly at the run: strictly after skips it
    runs: ['2026-01-05T18:00:00Z', '2026-01-06T18:00:00Z'],
  },
  {
    name: '08:00 on the 1st of each month',
    expression: 'cron(0 8 1 * ? *)',
    from: '2026-01-15T00:00:00Z',
    runs: ['2026-02-01T08:00:00Z', '2026-03-01T08:00:00Z'],
  },
  {
    name: 'every 15 minutes',
    expression: 'cron(0/15 * * * ? *)',
    from: '2026-01-01T23:31:10Z',
    runs: ['2026-01-01T23:45:00Z', '2026-01-02T00:00:00Z', '2026-01-02T00:15:00Z'],
  },
  {
    name: 'every 10 minutes on weekdays, across Friday night',
    expression: 'cron(0/10 * ? * MON-FRI *)',
    from: '2026-01-02T23:45:00Z',
    runs: ['2026-01-02T23:50:00Z', '2026-01-05T00:00:00Z', '2026-01-05T00:10:00Z'],
  },
  {
    name: 'every 5 minutes 08:00-17:55 on weekdays',
    expression: 'cron(0/5 8-17 ? * MON-FRI *)',
    from: '2026-01-02T17:50:00Z',
    runs: ['2026-01-02T17:55:00Z', '2026-01-05T08:00:00Z'],
  },
  {
    name: 'every 30 minutes in an hour range that crosses midnight (20-2)',
    expression: 'cron(0/30 20-2 ? * MON-FRI *)',
    from: '2026-01-05T01:45:00Z', // Monday
    runs: ['2026-01-05T02:00:00Z', '2026-01-05T02:30:00Z', '2026-01-05T20:00:00Z'],
  },
  {
    name: '14:05 and 14:35',
    expression: 'cron(5,35 14 * * ? *)',
    from: '2026-01-01T14:05:00Z',
    runs: ['2026-01-01T14:35:00Z', '2026-01-02T14:05:00Z'],
  },
  {
    name: 'last Friday of the month, 2022-2023 (the SageMaker guide example)',
    expression: 'cron(15 10 ? * 6L 2022-2023)',
    from: '2022-01-01T00:00:00Z',
    runs: ['2022-01-28T10:15:00Z', '2022-02-25T10:15:00Z', '2022-03-25T10:15:00Z'],
  },
  {
    name: 'last Friday, 2019-2022: the list ends with the year field',
    expression: 'cron(15 10 ? * 6L 2019-2022)',
    from: '2022-10-01T00:00:00Z',
    runs: ['2022-10-28T10:15:00Z', '2022-11-25T10:15:00Z', '2022-12-30T10:15:00Z'],
    exhaustive: true,
  },
  {
    name: 'first Monday of the month (2#1)',
    expression: 'cron(0 9 ? * 2#1 *)',
    from: '2026-11-29T00:00:00Z',
    runs: ['2026-12-07T09:00:00Z', '2027-01-04T09:00:00Z'],
  },
  {
    name: '08:30 New York, daylight saving adjusted',
    expression: 'cron(30 8 * * ? *)',
    tz: 'America/New_York',
    from: '2026-03-07T00:00:00Z',
    runs: ['2026-03-07T13:30:00Z', '2026-03-08T12:30:00Z', '2026-03-09T12:30:00Z'],
  },
  {
    name: 'minutes 1/10',
    expression: 'cron(1/10 * * * ? *)',
    from: '2026-01-01T00:00:00Z',
    runs: ['2026-01-01T00:01:00Z', '2026-01-01T00:11:00Z', '2026-01-01T00:21:00Z'],
  },
  {
    name: 'second Tuesday (3#2)',
    expression: 'cron(0 12 ? * 3#2 *)',
    from: '2026-01-01T00:00:00Z',
    runs: ['2026-01-13T12:00:00Z', '2026-02-10T12:00:00Z'],
  },
  {
    name: 'midnight every day',
    expression: 'cron(0 0 * * ? *)',
    from: '2026-12-31T00:00:00Z',
    runs: ['2027-01-01T00:00:00Z'],
  },

  // Leap days and month ends
  {
    name: 'leap day only in leap years',
    expression: 'cron(0 0 29 2 ? *)',
    from: '2026-01-01T00:00:00Z',
    runs: ['2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z'],
  },
  {
    name: '2100 is not a leap year',
    expression: 'cron(0 0 29 FEB ? 2096-2104)',
    from: '2090-01-01T00:00:00Z',
    runs: ['2096-02-29T00:00:00Z', '2104-02-29T00:00:00Z'],
    exhaustive: true,
  },
  {
    name: 'last day of the month (L)',
    expression: 'cron(0 0 L * ? *)',
    from: '2027-12-15T00:00:00Z',
    runs: [
      '2027-12-31T00:00:00Z',
      '2028-01-31T00:00:00Z',
      '2028-02-29T00:00:00Z',
      '2028-03-31T00:00:00Z',
      '2028-04-30T00:00:00Z',
    ],
  },
  {
    name: 'day 31 skips the months without one',
    expression: 'cron(45 23 31 * ? *)',
    from: '2026-01-01T00:00:00Z',
    runs: [
      '2026-01-31T23:45:00Z',
      '2026-03-31T23:45:00Z',
      '2026-05-31T23:45:00Z',
      '2026-07-31T23:45:00Z',
      '2026-08-31T23:45:00Z',
    ],
  },
  {
    name: 'last weekday (LW) when the month ends on a weekend',
    expression: 'cron(0 6 LW * ? *)',
    from: '2026-01-01T00:00:00Z',
    // Jan 31 is a Saturday, Feb 28 a Saturday, Mar 31 a Tuesday, May 31 a Sunday.
    runs: [
      '2026-01-30T06:00:00Z',
      '2026-02-27T06:00:00Z',
      '2026-03-31T06:00:00Z',
      '2026-04-30T06:00:00Z',
      '2026-05-29T06:00:00Z',
    ],
  },
  {
    name: 'nearest weekday: 1W on a Saturday stays in the month (Monday the 3rd)',
    expression: 'cron(0 9 1W * ? 2026)',
    from: '2026-07-15T00:00:00Z',
    runs: ['2026-08-03T09:00:00Z', '2026-09-01T09:00:00Z'],
  },
  {
    name: 'nearest weekday: 15W on a Sunday is Monday the 16th',
    expression: 'cron(0 12 15W * ? *)',
    from: '2026-11-01T00:00:00Z',
    runs: ['2026-11-16T12:00:00Z', '2026-12-15T12:00:00Z'],
  },
  {
    name: 'nearest weekday: 31W on a Sunday the 31st is Friday the 29th; months without a 31st are skipped',
    expression: 'cron(0 12 31W * ? *)',
    from: '2026-05-01T00:00:00Z',
    runs: ['2026-05-29T12:00:00Z', '2026-07-31T12:00:00Z'],
  },
  {
    name: 'fifth Friday (6#5) skips months with four',
    expression: 'cron(0 0 ? * 6#5 2026)',
    from: '2026-01-01T00:00:00Z',
    runs: [
      '2026-01-30T00:00:00Z',
      '2026-05-29T00:00:00Z',
      '2026-07-31T00:00:00Z',
      '2026-10-30T00:00:00Z',
    ],
    exhaustive: true,
  },
  {
    name: 'L alone in day-of-week is Saturday',
    expression: 'cron(0 0 ? * L *)',
    from: '2026-01-01T00:00:00Z',
    runs: ['2026-01-03T00:00:00Z', '2026-01-10T00:00:00Z'],
  },
  {
    name: 'wrap-around day-of-week range FRI-MON',
    expression: 'cron(0 0 ? * FRI-MON *)',
    from: '2026-01-01T00:00:00Z', // Thursday
    runs: [
      '2026-01-02T00:00:00Z',
      '2026-01-03T00:00:00Z',
      '2026-01-04T00:00:00Z',
      '2026-01-05T00:00:00Z',
      '2026-01-09T00:00:00Z',
    ],
  },
  {
    name: 'months by name, a quarterly first Monday',
    expression: 'cron(0 12 ? JAN,APR,JUL,OCT MON#1 *)',
    from: '2026-01-06T00:00:00Z',
    runs: [
      '2026-04-06T12:00:00Z',
      '2026-07-06T12:00:00Z',
      '2026-10-05T12:00:00Z',
      '2027-01-04T12:00:00Z',
    ],
  },

  // Daylight saving, northern hemisphere (New York: forward 2nd Sunday of March, back 1st Sunday of November)
  {
    name: 'New York: the 02:30 that does not exist on 2027-03-14 is skipped',
    expression: 'cron(30 2 * * ? *)',
    tz: 'America/New_York',
    from: '2027-03-13T12:00:00Z',
    runs: ['2027-03-15T06:30:00Z', '2027-03-16T06:30:00Z'],
  },
  {
    name: 'New York: the 01:30 that happens twice on 2026-11-01 runs once, at the first',
    expression: 'cron(30 1 * * ? *)',
    tz: 'America/New_York',
    from: '2026-10-31T00:00:00Z',
    runs: ['2026-10-31T05:30:00Z', '2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z'],
  },
  {
    name: 'New York: every 15 minutes through the repeated hour runs each local time once',
    expression: 'cron(0/15 1-2 * * ? *)',
    tz: 'America/New_York',
    from: '2026-11-01T04:00:00Z',
    runs: [
      '2026-11-01T05:00:00Z',
      '2026-11-01T05:15:00Z',
      '2026-11-01T05:30:00Z',
      '2026-11-01T05:45:00Z',
      '2026-11-01T07:00:00Z',
      '2026-11-01T07:15:00Z',
    ],
  },
  {
    name: 'New York: looking from inside the second pass of the repeated hour',
    expression: 'cron(0/15 * * * ? *)',
    tz: 'America/New_York',
    from: '2026-11-01T06:10:00Z', // 01:10 EST, the second 01:10
    runs: ['2026-11-01T07:00:00Z', '2026-11-01T07:15:00Z'],
  },
  {
    name: 'Los Angeles 02:30 (the Scheduler guide DST example): skipped in spring, once in autumn',
    expression: 'cron(30 2 * * ? *)',
    tz: 'America/Los_Angeles',
    from: '2026-03-07T00:00:00Z',
    runs: ['2026-03-07T10:30:00Z', '2026-03-09T09:30:00Z'],
  },
  // Southern hemisphere (Sydney: forward 1st Sunday of October, back 1st Sunday of April)
  {
    name: 'Sydney: 02:30 on 2026-10-04 does not exist',
    expression: 'cron(30 2 * * ? *)',
    tz: 'Australia/Sydney',
    from: '2026-10-02T00:00:00Z',
    runs: ['2026-10-02T16:30:00Z', '2026-10-04T15:30:00Z'],
  },
  {
    name: 'Sydney: 02:30 on 2027-04-04 happens twice and runs once',
    expression: 'cron(30 2 * * ? *)',
    tz: 'Australia/Sydney',
    from: '2027-04-02T00:00:00Z',
    runs: ['2027-04-02T15:30:00Z', '2027-04-03T15:30:00Z', '2027-04-04T16:30:00Z'],
  },
  // Lord Howe moves its clocks by 30 minutes
  {
    name: 'Lord Howe: 02:15 does not exist when clocks jump 02:00 → 02:30',
    expression: 'cron(15 2 * * ? *)',
    tz: 'Australia/Lord_Howe',
    from: '2026-10-02T00:00:00Z',
    runs: ['2026-10-02T15:45:00Z', '2026-10-04T15:15:00Z'],
  },
  {
    name: 'Lord Howe: 01:45 happens twice when clocks go back 02:00 → 01:30, and runs once',
    expression: 'cron(45 1 * * ? *)',
    tz: 'Australia/Lord_Howe',
    from: '2027-04-02T00:00:00Z',
    runs: ['2027-04-02T14:45:00Z', '2027-04-03T14:45:00Z', '2027-04-04T15:15:00Z'],
  },
  // Half-hour and 45-minute zones
  {
    name: 'Kolkata (+05:30)',
    expression: 'cron(0 9 * * ? *)',
    tz: 'Asia/Kolkata',
    from: '2026-01-01T00:00:00Z',
    runs: ['2026-01-01T03:30:00Z'],
  },
  {
    name: 'Kathmandu (+05:45)',
    expression: 'cron(0 9 * * ? *)',
    tz: 'Asia/Kathmandu',
    from: '2026-01-01T00:00:00Z',
    runs: ['2026-01-01T03:15:00Z'],
  },
  {
    name: 'Eucla (+08:45)',
    expression: 'cron(0 9 * * ? *)',
    tz: 'Australia/Eucla',
    from: '2026-01-01T00:00:00Z',
    runs: ['2026-01-01T00:15:00Z'],
  },
  {
    name: 'Chatham in summer (+13:45)',
    expression: 'cron(0 12 * * ? *)',
    tz: 'Pacific/Chatham',
    from: '2026-12-01T00:00:00Z',
    runs: ['2026-12-01T22:15:00Z'],
  },
  {
    name: "St. John's (−03:30)",
    expression: 'cron(0 9 * * ? *)',
    tz: 'America/St_Johns',
    from: '2026-01-01T00:00:00Z',
    runs: ['2026-01-01T12:30:00Z'],
  },

  // Start and end dates
  {
    name: 'end date is inclusive and ends the list',
    expression: 'cron(0 8 * * ? *)',
    from: '2026-01-01T00:00:00Z',
    end: '2026-01-03T08:00:00Z',
    runs: ['2026-01-01T08:00:00Z', '2026-01-02T08:00:00Z', '2026-01-03T08:00:00Z'],
    exhaustive: true,
  },
  {
    name: 'start date is inclusive',
    expression: 'cron(0 8 * * ? *)',
    from: '2026-01-01T00:00:00Z',
    start: '2026-02-01T08:00:00Z',
    runs: ['2026-02-01T08:00:00Z', '2026-02-02T08:00:00Z'],
  },
  {
    name: 'an end date before any run',
    expression: 'cron(0 8 * * ? *)',
    from: '2026-01-01T09:00:00Z',
    end: '2026-01-02T07:59:00Z',
    runs: [],
    exhaustive: true,
  },
  {
    name: 'a year field entirely in the past',
    expression: 'cron(0 0 1 1 ? 2020-2022)',
    from: '2026-01-01T00:00:00Z',
    runs: [],
    exhaustive: true,
  },
  {
    name: 'the last year EventBridge allows',
    expression: 'cron(0 0 31 12 ? *)',
    from: '2199-06-01T00:00:00Z',
    runs: ['2199-12-31T00:00:00Z'],
    exhaustive: true,
  },

  // rate(): fixed durations from the start
  {
    name: 'rate with no start begins at the creation instant',
    expression: 'rate(5 minutes)',
    from: '2026-01-01T10:07:42Z',
    runs: ['2026-01-01T10:07:42Z', '2026-01-01T10:12:42Z', '2026-01-01T10:17:42Z'],
  },
  {
    name: 'rate counts from its start date',
    expression: 'rate(6 hours)',
    from: '2026-01-02T01:00:00Z',
    start: '2026-01-01T03:00:00Z',
    runs: ['2026-01-02T03:00:00Z', '2026-01-02T09:00:00Z'],
  },
  {
    name: 'rate(1 days) is 24 hours even across daylight saving',
    expression: 'rate(1 days)',
    tz: 'Europe/Berlin',
    from: '2026-03-28T00:00:00Z',
    start: '2026-03-27T07:00:00Z',
    runs: ['2026-03-28T07:00:00Z', '2026-03-29T07:00:00Z', '2026-03-30T07:00:00Z'],
  },
  {
    name: 'rate stops at the end date',
    expression: 'rate(1 hour)',
    from: '2026-01-01T00:00:00Z',
    start: '2026-01-01T00:30:00Z',
    end: '2026-01-01T02:30:00Z',
    runs: ['2026-01-01T00:30:00Z', '2026-01-01T01:30:00Z', '2026-01-01T02:30:00Z'],
    exhaustive: true,
  },

  // at(): read in its zone, start and end ignored
  {
    name: 'at() in Los Angeles (the Scheduler guide example)',
    expression: 'at(2022-11-20T13:00:00)',
    tz: 'America/Los_Angeles',
    from: '2022-01-01T00:00:00Z',
    runs: ['2022-11-20T21:00:00Z'],
    exhaustive: true,
  },
  {
    name: 'at() in the past never runs',
    expression: 'at(2022-11-20T13:00:00)',
    from: '2026-01-01T00:00:00Z',
    runs: [],
    exhaustive: true,
  },
  {
    name: 'at() ignores start and end',
    expression: 'at(2026-12-24T09:00:00)',
    tz: 'Europe/Berlin',
    from: '2026-01-01T00:00:00Z',
    start: '2027-01-01T00:00:00Z',
    end: '2026-02-01T00:00:00Z',
    runs: ['2026-12-24T08:00:00Z'],
    exhaustive: true,
  },
  {
    name: 'at() in a daylight-saving gap never runs',
    expression: 'at(2027-03-14T02:30:00)',
    tz: 'America/New_York',
    from: '2027-01-01T00:00:00Z',
    runs: [],
    exhaustive: true,
  },
  {
    name: 'at() in a repeated hour runs at the first',
    expression: 'at(2026-11-01T01:30:00)',
    tz: 'America/New_York',
    from: '2026-01-01T00:00:00Z',
    runs: ['2026-11-01T05:30:00Z'],
    exhaustive: true,
  },
];

function parsed(text: string): ScheduleExpression {
  const result = parseExpression(text);
  if (!result.ok) throw new Error(`${text}: ${result.error.message}`);
  return result.expression;
}

const iso = (dates: Date[]) => dates.map((d) => d.toISOString().replace('.000Z', 'Z'));

describe('the next runs of a schedule', () => {
  it.each(cases)('$name: $expression', (c) => {
    const runs = nextOccurrences(parsed(c.expression), {
      after: new Date(c.from),
      ...(c.tz ? { timeZone: c.tz } : {}),
      ...(c.start ? { start: new Date(c.start) } : {}),
      ...(c.end ? { end: new Date(c.end) } : {}),
      count: c.runs.length + (c.exhaustive ? 5 : 0),
    });
    expect(iso(runs)).toEqual(c.runs);
  });

  it('asks for nothing, gets nothing', () => {
    expect(nextOccurrences(parsed('cron(0 8 * * ? *)'), { after: new Date(), count: 0 })).toEqual(
      [],
    );
  });

  it('finds 1,000 runs of a sparse schedule far apart without scanning minutes', () => {
    // Every 29 February at 00:00 for 1,000 occurrences would run past 2199; the list ends there.
    const runs = nextOccurrences(parsed('cron(0 0 29 2 ? *)'), {
      after: new Date('1970-01-01T00:00:00Z'),
      count: 1000,
    });
    expect(runs.length).toBe(56); // leap years 1972…2196, less 2100
    expect(iso(runs).at(-1)).toBe('2196-02-29T00:00:00Z');
  });
});
