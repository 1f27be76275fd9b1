import { describe, expect, it } from 'vitest';
import { previewSchedule, type WarningCode } from '../../../src/scheduling/expression/index.js';

function preview(
  expression: string,
  options: { tz?: string; now?: string; start?: string; end?: string } = {},
) {
  const result = previewSchedule({
    expression,
    now: new Date(options.now ?? '2026-11-29T12:00:00Z'),
    ...(options.tz ? { timeZone: options.tz } : {}),
    ...(options.start ? { start: new Date(options.start) } : {}),
    ...(options.end ? { end: new Date(options.end) } : {}),
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.preview;
}

const codes = (p: ReturnType<typeof preview>): WarningCode[] => p.warnings.map((w) => w.code);

describe('what a schedule means, in words', () => {
  it.each([
    ['cron(0 8 ? * MON-FRI *)', 'Europe/Berlin', 'at 08:00, Monday through Friday, Europe/Berlin'],
    ['cron(0 10 * * ? *)', undefined, 'at 10:00, every day, UTC'],
    ['cron(0/15 * * * ? *)', undefined, 'every 15 minutes, UTC'],
    [
      'cron(0/5 8-17 ? * MON-FRI *)',
      'America/New_York',
      'every 5 minutes from 08:00 to 17:55, Monday through Friday, America/New_York',
    ],
    ['cron(5,35 14 * * ? *)', undefined, 'at 14:05 and 14:35, every day, UTC'],
    [
      'cron(15 10 ? * 6L 2022-2023)',
      undefined,
      'at 10:15, on the last Friday of the month, in 2022 and 2023, UTC',
    ],
    ['cron(0 9 ? * 2#1 *)', undefined, 'at 09:00, on the first Monday of the month, UTC'],
    ['cron(0 12 3W * ? *)', undefined, 'at 12:00, on the weekday nearest day 3 of the month, UTC'],
    ['cron(0 0 L * ? *)', undefined, 'at 00:00, on the last day of the month, UTC'],
    ['cron(0 6 LW * ? *)', undefined, 'at 06:00, on the last weekday of the month, UTC'],
    ['cron(0 0 29 2 ? *)', undefined, 'at 00:00, on 29 February, UTC'],
    [
      'cron(0 12 ? JAN,APR,JUL,OCT MON#1 *)',
      undefined,
      'at 12:00, on the first Monday of the month, in January, April, July and October, UTC',
    ],
    ['cron(0 8 1,15 * ? *)', undefined, 'at 08:00, on days 1 and 15 of the month, UTC'],
    ['cron(* * * * ? *)', undefined, 'every minute, UTC'],
    ['rate(5 minutes)', undefined, 'every 5 minutes'],
    ['rate(1 day)', undefined, 'every day'],
    [
      'at(2026-12-24T09:00:00)',
      'Europe/Berlin',
      'once, on 24 December 2026 at 09:00, Europe/Berlin',
    ],
  ])('%s (%s) reads "%s"', (expression, tz, description) => {
    expect(preview(expression, tz ? { tz } : {}).description).toBe(description);
  });
});

describe('warnings a person should see before committing', () => {
  it('names the run daylight saving will skip', () => {
    const p = preview('cron(30 2 * * ? *)', {
      tz: 'America/New_York',
      now: '2027-03-01T00:00:00Z',
    });
    expect(p.warnings[0]).toEqual({
      code: 'DST_SKIPPED',
      message:
        'on 2027-03-14 clocks in America/New_York jump from 02:00 to 03:00: the 02:30 run does not exist that day and is skipped',
    });
  });

  it('names the runs daylight saving will merge into one', () => {
    const p = preview('cron(30 1 * * ? *)', {
      tz: 'America/New_York',
      now: '2026-10-01T00:00:00Z',
    });
    const merged = p.warnings.find((w) => w.code === 'DST_RUNS_ONCE');
    expect(merged?.message).toMatch(
      /^on 2026-11-01 clocks in America\/New_York go back from 02:00 to 01:00/,
    );
    expect(merged?.message).toMatch(
      /the 01:30 run runs once, at the first pass \(2026-11-01T05:30:00Z/,
    );
  });

  it('counts a block of skipped runs in a 30-minute shift (Lord Howe)', () => {
    const p = preview('cron(0/10 2 * * ? *)', {
      tz: 'Australia/Lord_Howe',
      now: '2026-09-01T00:00:00Z',
    });
    expect(p.warnings.find((w) => w.code === 'DST_SKIPPED')?.message).toMatch(
      /jump from 02:00 to 02:30: the 3 runs from 02:00 to 02:20 do not exist/,
    );
  });

  it('says nothing of daylight saving in UTC, or when no run falls in the change', () => {
    expect(codes(preview('cron(30 2 * * ? *)'))).toEqual([]);
    expect(codes(preview('cron(0 8 ? * MON-FRI *)', { tz: 'Europe/Berlin' }))).toEqual([]);
  });

  it('ignores a daylight-saving change after the end date', () => {
    const p = preview('cron(30 2 * * ? *)', {
      tz: 'America/New_York',
      now: '2027-03-01T00:00:00Z',
      end: '2027-03-10T00:00:00Z',
    });
    expect(codes(p)).not.toContain('DST_SKIPPED');
  });

  it('warns that day 31 skips months with fewer days', () => {
    expect(preview('cron(0 8 31 * ? *)').warnings).toContainEqual({
      code: 'SHORT_MONTHS',
      message:
        'day 31 skips months with fewer days (February, April, June, September and November)',
    });
    expect(codes(preview('cron(0 8 31 JAN,MAR ? *)'))).toEqual([]);
    expect(preview('cron(0 8 29 2 ? *)').warnings[0]?.message).toBe(
      'day 29 skips February except in leap years',
    );
  });

  it('says when a schedule can never run', () => {
    expect(preview('cron(0 8 30 2 ? *)').warnings).toEqual([
      {
        code: 'NEVER_RUNS',
        message: 'day 30 does not exist in February: this schedule never runs',
      },
    ]);
    expect(preview('cron(0 0 1 1 ? 2020-2023)').warnings).toEqual([
      {
        code: 'NO_FUTURE_RUN',
        message:
          'no future occurrence: the year field ends in 2023, so this schedule would never run',
      },
    ]);
  });

  it('says when nothing runs before the end date', () => {
    const p = preview('cron(0 8 1 * ? *)', {
      now: '2026-11-02T00:00:00Z',
      end: '2026-11-30T00:00:00Z',
    });
    expect(p.occurrences).toEqual([]);
    expect(p.warnings).toEqual([
      {
        code: 'NO_RUN_BEFORE_END',
        message:
          'no occurrence before the end date (2026-11-30T00:00:00Z): this schedule would never run',
      },
    ]);
  });

  it('says when an at() is in the past, or falls in a daylight-saving gap', () => {
    expect(codes(preview('at(2022-11-20T13:00:00)', { tz: 'America/Los_Angeles' }))).toEqual([
      'AT_IN_PAST',
    ]);
    const gap = preview('at(2027-03-14T02:30:00)', { tz: 'America/New_York' });
    expect(gap.warnings[0]?.code).toBe('AT_DOES_NOT_EXIST');
    expect(gap.warnings[0]?.message).toMatch(
      /2027-03-14 02:30 does not exist in America\/New_York/,
    );
    expect(codes(preview('at(2026-12-24T09:00:00)', { start: '2026-12-01T00:00:00Z' }))).toEqual([
      'AT_IGNORES_START_END',
    ]);
  });

  it('explains that rate() ignores the time zone and drifts across daylight saving', () => {
    const p = preview('rate(1 day)', { tz: 'Europe/Berlin' });
    expect(p.warnings[0]?.code).toBe('RATE_IGNORES_TIME_ZONE');
    expect(p.warnings[0]?.message).toMatch(
      /moves by the daylight-saving shift in Europe\/Berlin — use cron/,
    );
  });

  it('warns that a frequent schedule starts a pipeline every few minutes', () => {
    expect(preview('rate(5 minutes)').warnings).toContainEqual({
      code: 'RUNS_OFTEN',
      message: 'runs as often as every 5 minutes: each run starts a full pipeline execution',
    });
    expect(codes(preview('cron(0 * * * ? *)'))).not.toContain('RUNS_OFTEN');
  });

  it('notes undocumented syntax AWS is known to accept', () => {
    expect(preview('cron(*/15 * * * ? *)').warnings[0]).toMatchObject({
      code: 'UNDOCUMENTED_SYNTAX',
    });
  });
});

describe('a preview with bad options', () => {
  it.each([
    [{ timeZone: 'Mars/Olympus' }, 'INVALID_TIME_ZONE', /"Mars\/Olympus" is not an IANA time zone/],
    [{ timeZone: '+01:00' }, 'INVALID_TIME_ZONE', /is an offset, not a zone/],
    [
      { start: new Date('2026-12-02T00:00:00Z'), end: new Date('2026-12-01T00:00:00Z') },
      'INVALID_DATE_RANGE',
      /end \(2026-12-01T00:00:00Z\) must be after start/,
    ],
    [{ start: new Date('nonsense') }, 'INVALID_DATE_RANGE', /start: not a valid date/],
  ])('%o is refused', (options, code, message) => {
    const result = previewSchedule({
      expression: 'cron(0 8 * * ? *)',
      now: new Date(),
      ...options,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message).toMatch(message);
    }
  });

  it('keeps rules in UTC', () => {
    const result = previewSchedule({
      expression: 'cron(0 8 * * ? *)',
      now: new Date(),
      timeZone: 'Europe/Berlin',
      dialect: 'rules',
    });
    expect(result.ok ? '' : result.error.message).toMatch(/rules always run in UTC/);
  });

  it('fixes the case of a zone name, and keeps tz links as written', () => {
    const p = previewSchedule({
      expression: 'cron(0 8 * * ? *)',
      now: new Date(),
      timeZone: 'europe/berlin',
    });
    expect(p.ok && p.preview.timeZone).toBe('Europe/Berlin');
    const link = previewSchedule({
      expression: 'cron(0 8 * * ? *)',
      now: new Date(),
      timeZone: 'US/Eastern',
    });
    expect(link.ok && link.preview.timeZone).toBe('US/Eastern');
  });
});
