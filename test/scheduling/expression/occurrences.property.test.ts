import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScheduleExpression } from '../../../src/scheduling/expression/index.js';
import { nextOccurrences, parseExpression } from '../../../src/scheduling/expression/index.js';
import {
  cronMatchesWall,
  daysInMonth,
  formatWall,
  isFirstTimeOfWall,
  type LocalWall,
  localWallAt,
  offsetChanges,
  oracleAtRun,
  oracleCronOccurrences,
  oracleRateOccurrences,
  parseAtForOracle,
  parseCronForOracle,
  parseRateForOracle,
} from './oracle.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Intl calls one oracle walk may make (~4 µs each); past that only the checked prefix is compared. */
const MAX_LOOKUPS = 40_000;
/** Past this, fast-check stops shrinking a counterexample and reports what it has. */
const SHRINK_BUDGET_MS = 20_000;

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'America/Sao_Paulo', // DST until February 2019, switching at midnight
  'Australia/Sydney', // southern hemisphere
  'Australia/Lord_Howe', // 30-minute DST shift
  'Asia/Kolkata', // +05:30
  'Asia/Kathmandu', // +05:45
  'Australia/Eucla', // +08:45
  'Pacific/Chatham', // +12:45 / +13:45
  'America/St_Johns', // −03:30 with DST
  'Europe/London',
  'Africa/Casablanca', // +01, +00 during Ramadan
] as const;
type Zone = (typeof ZONES)[number];

const RANGE_START = Date.UTC(2020, 0, 1);
const RANGE_END = Date.UTC(2036, 0, 1);

/** Offset changes per zone, 2020-2035 (and 2017-2019 for São Paulo, whose DST ended in 2019). */
const TRANSITIONS = new Map<Zone, number[]>(
  ZONES.map((zone) => {
    const from = zone === 'America/Sao_Paulo' ? Date.UTC(2017, 0, 1) : RANGE_START;
    return [zone, offsetChanges(zone, from, RANGE_END).map((change) => change.at)];
  }),
);
const ZONES_WITH_TRANSITIONS = ZONES.filter((zone) => (TRANSITIONS.get(zone) ?? []).length > 0);

// ---------------------------------------------------------------------------------------------
// Instants

/** Some instants to the millisecond, some to the second, some on a whole minute. */
function withPrecision(instant: fc.Arbitrary<number>): fc.Arbitrary<number> {
  return fc
    .tuple(instant, fc.constantFrom(1, 1000, MINUTE))
    .map(([t, precision]) => Math.floor(t / precision) * precision);
}

const anyInstant = fc.integer({ min: RANGE_START, max: RANGE_END - 1 });

/** Uniform over 2020-2035, or within a day before (up to 2 h after) one of the zone's offset changes. */
function afterIn(zone: Zone): fc.Arbitrary<number> {
  const changes = TRANSITIONS.get(zone) ?? [];
  if (changes.length === 0) return withPrecision(anyInstant);
  const nearChange = fc
    .tuple(fc.constantFrom(...changes), fc.integer({ min: -26 * HOUR, max: 2 * HOUR }))
    .map(([at, delta]) => at + delta);
  return withPrecision(fc.oneof(anyInstant, nearChange, nearChange));
}

/** Absent one time in `freq`, else an offset in [min, max]. */
const optionalOffset = (min: number, max: number, freq = 2) =>
  fc.option(withPrecision(fc.integer({ min, max })), { nil: undefined, freq });

// ---------------------------------------------------------------------------------------------
// Cron expressions, from random field choices

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Items of a cyclic field: `v`, `a-b` (a > b wraps around), `v/s`, `a-b/s`, `*\/s`. */
function cyclicItem(min: number, max: number, names?: string[]): fc.Arbitrary<string> {
  const number = fc.integer({ min, max });
  const value = names
    ? fc.oneof(
        number.map(String),
        number.map((v) => names[v - min] ?? String(v)),
      )
    : number.map(String);
  const span = max - min;
  const step = fc.oneof(
    fc.integer({ min: 1, max: Math.min(5, span) }),
    fc.integer({ min: 1, max: span }),
  );
  return fc.oneof(
    { weight: 5, arbitrary: value },
    { weight: 2, arbitrary: fc.tuple(value, value).map(([a, b]) => `${a}-${b}`) },
    { weight: 1, arbitrary: fc.tuple(value, step).map(([a, s]) => `${a}/${s}`) },
    { weight: 1, arbitrary: fc.tuple(value, value, step).map(([a, b, s]) => `${a}-${b}/${s}`) },
    { weight: 1, arbitrary: step.map((s) => `*/${s}`) },
  );
}

function cyclicField(min: number, max: number, names?: string[]): fc.Arbitrary<string> {
  const item = cyclicItem(min, max, names);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant('*') },
    { weight: 5, arbitrary: item },
    {
      weight: 2,
      arbitrary: fc.array(item, { minLength: 2, maxLength: 3 }).map((items) => items.join(',')),
    },
  );
}

/** Year fields around `year` (the year of `after`), so that most schedules still have runs ahead. */
function yearField(year: number): fc.Arbitrary<string> {
  const near = fc.integer({ min: year - 1, max: year + 4 });
  const range = fc.tuple(near, near).map(([a, b]) => (a <= b ? [a, b] : [b, a]));
  const step = fc.integer({ min: 1, max: 6 });
  const item = fc.oneof(
    { weight: 3, arbitrary: near.map(String) },
    { weight: 3, arbitrary: range.map(([a, b]) => `${a}-${b}`) },
    { weight: 1, arbitrary: fc.tuple(near, step).map(([a, s]) => `${a}/${s}`) },
    { weight: 1, arbitrary: fc.tuple(range, step).map(([[a, b], s]) => `${a}-${b}/${s}`) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 10 }).map((s) => `*/${s}`) },
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant('*') },
    { weight: 4, arbitrary: item },
    {
      weight: 1,
      arbitrary: fc.array(item, { minLength: 2, maxLength: 3 }).map((items) => items.join(',')),
    },
  );
}

const dayOfMonthField = fc.oneof(
  { weight: 4, arbitrary: cyclicField(1, 31) },
  { weight: 1, arbitrary: fc.constant('L') },
  { weight: 1, arbitrary: fc.constant('LW') },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 31 }).map((d) => `${d}W`) },
);

const dayOfWeekField = fc.oneof(
  { weight: 4, arbitrary: cyclicField(1, 7, WEEKDAYS) },
  { weight: 1, arbitrary: fc.constant('L') },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 7 }).map((d) => `${d}L`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 5 }))
      .map(([d, n]) => `${d}#${n}`),
  },
);

const cronExpression = (year: number): fc.Arbitrary<string> =>
  fc
    .record({
      minutes: cyclicField(0, 59),
      hours: cyclicField(0, 23),
      days: fc.oneof(
        dayOfMonthField.map((dom) => ({ dom, dow: '?' })),
        dayOfWeekField.map((dow) => ({ dom: '?', dow })),
      ),
      month: fc.oneof(
        { weight: 3, arbitrary: fc.constant('*') },
        { weight: 2, arbitrary: cyclicField(1, 12, MONTHS) },
      ),
      year: yearField(year),
    })
    .map(
      ({ minutes, hours, days, month, year }) =>
        `cron(${minutes} ${hours} ${days.dom} ${month} ${days.dow} ${year})`,
    );

interface CronCase {
  expression: string;
  timeZone: Zone;
  after: number;
  start?: number;
  end?: number;
  count: number;
}

const cronCase = (maxCount: number): fc.Arbitrary<CronCase> =>
  fc.constantFrom(...ZONES).chain((timeZone) =>
    afterIn(timeZone).chain((after) =>
      fc
        .record({
          expression: cronExpression(new Date(after).getUTCFullYear()),
          after: fc.constant(after),
          start: optionalOffset(-2 * DAY, 5 * DAY),
          end: optionalOffset(-DAY, 400 * DAY, 3),
          count: fc.integer({ min: 3, max: maxCount }),
        })
        .map(({ expression, after, start, end, count }) => ({
          expression,
          timeZone,
          after,
          count,
          ...(start !== undefined ? { start: after + start } : {}),
          ...(end !== undefined ? { end: after + end } : {}),
        })),
    ),
  );

// ---------------------------------------------------------------------------------------------
// Running the engine, and saying what happened in words

/** The engine's reading of `text` (the test's own inputs are always valid). */
function parsed(text: string): ScheduleExpression {
  const result = parseExpression(text);
  if (!result.ok) throw new Error(`the engine rejects ${text}: ${result.error.message}`);
  return result.expression;
}

function engineRuns(c: {
  expression: string;
  timeZone: string;
  after: number;
  start?: number;
  end?: number;
  count: number;
}): number[] {
  return nextOccurrences(parsed(c.expression), {
    after: new Date(c.after),
    timeZone: c.timeZone,
    ...(c.start !== undefined ? { start: new Date(c.start) } : {}),
    ...(c.end !== undefined ? { end: new Date(c.end) } : {}),
    count: c.count,
  }).map((date) => date.getTime());
}

const iso = (t: number) => new Date(t).toISOString();

/** `2024-03-31T01:00:00.000Z (local 2024-03-31 03:00:00)` */
const runIn = (timeZone: string) => (t: number) =>
  `${iso(t)} (local ${formatWall(localWallAt(timeZone, t))})`;

function describeCase(c: {
  expression: string;
  timeZone: string;
  after: number;
  start?: number;
  end?: number;
  count: number;
}): string {
  const local = runIn(c.timeZone);
  const parts = [`${c.expression} in ${c.timeZone}`, `after ${local(c.after)}`];
  if (c.start !== undefined) parts.push(`start ${local(c.start)}`);
  if (c.end !== undefined) parts.push(`end ${local(c.end)}`);
  parts.push(`count ${c.count}`);
  const dates = [
    `after: new Date('${iso(c.after)}')`,
    `timeZone: '${c.timeZone}'`,
    ...(c.start !== undefined ? [`start: new Date('${iso(c.start)}')`] : []),
    ...(c.end !== undefined ? [`end: new Date('${iso(c.end)}')`] : []),
    `count: ${c.count}`,
  ];
  return `${parts.join(', ')}\n  repro: nextOccurrences(parsed('${c.expression}'), { ${dates.join(', ')} })`;
}

/** The engine's runs equal the oracle's (only the prefix the oracle had time to check, if it gave up). */
function expectCronMatchesOracle(c: CronCase): void {
  const engine = engineRuns(c);
  const oracle = oracleCronOccurrences(parseCronForOracle(c.expression), {
    ...c,
    maxLookups: MAX_LOOKUPS,
  });
  const comparable = oracle.complete ? engine : engine.filter((t) => t < oracle.checkedUntil);
  const show = runIn(c.timeZone);
  expect(
    comparable.map(show),
    `engine (left) vs minute-by-minute oracle (right) for ${describeCase(c)}`,
  ).toEqual(oracle.occurrences.map(show));
}

const settings = (seed: number, numRuns: number) => ({
  seed,
  numRuns,
  interruptAfterTimeLimit: SHRINK_BUDGET_MS,
});

// ---------------------------------------------------------------------------------------------

describe('the minute-by-minute oracle itself', () => {
  it('agrees with the AWS daylight-saving example: 02:30 Los Angeles is skipped in spring and runs once in autumn', () => {
    const cron = parseCronForOracle('cron(30 2 * * ? *)');
    const spring = oracleCronOccurrences(cron, {
      after: Date.UTC(2024, 2, 9, 12),
      timeZone: 'America/Los_Angeles',
      count: 1,
    });
    expect(spring.occurrences.map(iso)).toEqual(['2024-03-11T09:30:00.000Z']);
    const autumn = oracleCronOccurrences(parseCronForOracle('cron(30 1 * * ? *)'), {
      after: Date.UTC(2024, 10, 2, 12),
      timeZone: 'America/Los_Angeles',
      count: 2,
    });
    expect(autumn.occurrences.map(iso)).toEqual([
      '2024-11-03T08:30:00.000Z',
      '2024-11-04T09:30:00.000Z',
    ]);
  });

  it('reads the special day fields as documented', () => {
    const first = (text: string, after: number) =>
      oracleCronOccurrences(parseCronForOracle(text), {
        after,
        timeZone: 'UTC',
        count: 1,
      }).occurrences.map(iso);
    // 2022-01-01 is a Saturday: 1W is Monday the 3rd; 2022-07-31 is a Sunday: 31W is Friday the 29th.
    expect(first('cron(0 12 1W * ? 2022)', Date.UTC(2021, 11, 31))).toEqual([
      '2022-01-03T12:00:00.000Z',
    ]);
    expect(first('cron(0 12 31W * ? 2022)', Date.UTC(2022, 6, 1))).toEqual([
      '2022-07-29T12:00:00.000Z',
    ]);
    // Last weekday of April 2022 (30th is a Saturday) is Friday the 29th.
    expect(first('cron(0 12 LW 4 ? 2022)', Date.UTC(2022, 0, 1))).toEqual([
      '2022-04-29T12:00:00.000Z',
    ]);
    // Last Friday (6L) and second Tuesday (3#2) of March 2022; L alone is Saturday.
    expect(first('cron(15 10 ? 3 6L 2022)', Date.UTC(2022, 0, 1))).toEqual([
      '2022-03-25T10:15:00.000Z',
    ]);
    expect(first('cron(15 10 ? 3 3#2 2022)', Date.UTC(2022, 0, 1))).toEqual([
      '2022-03-08T10:15:00.000Z',
    ]);
    expect(first('cron(0 0 ? 3 L 2022)', Date.UTC(2022, 0, 1))).toEqual([
      '2022-03-05T00:00:00.000Z',
    ]);
    // Hours 20-2 wrap past midnight.
    expect(parseCronForOracle('cron(0 20-2 * * ? *)').hours).toEqual(
      new Set([20, 21, 22, 23, 0, 1, 2]),
    );
  });
});

describe('next runs of a cron schedule', () => {
  it('every cron schedule fires exactly when a minute-by-minute check of local time says it should, across daylight-saving changes', () => {
    fc.assert(
      fc.property(cronCase(10), (c) => expectCronMatchesOracle(c)),
      settings(20_240_331, 300),
    );
  }, 60_000);

  const DENSE = [
    { expression: 'cron(0/15 * * * ? *)', count: 24 },
    { expression: 'cron(* 1-3 * * ? *)', count: 200 },
    { expression: 'cron(* 0-2 * * ? *)', count: 200 },
    { expression: 'cron(* 23 * * ? *)', count: 70 },
    { expression: 'cron(30 2 * * ? *)', count: 3 },
    { expression: 'cron(45 2 * * ? *)', count: 3 },
    { expression: 'cron(0 0 * * ? *)', count: 3 },
    { expression: 'cron(0/30 * ? * * *)', count: 12 },
    { expression: 'cron(0,30 0-3 * * ? *)', count: 12 },
    { expression: 'cron(15,45 * * * ? *)', count: 12 },
    { expression: 'cron(0/5 1-2 ? * * *)', count: 40 },
  ];

  it('frequent schedules skip the wall-clock times that spring forward and run a repeated time only once when clocks fall back', () => {
    const denseCase: fc.Arbitrary<CronCase> = fc
      .constantFrom(...ZONES_WITH_TRANSITIONS)
      .chain((timeZone) =>
        fc
          .record({
            schedule: fc.constantFrom(...DENSE),
            change: fc.constantFrom(...(TRANSITIONS.get(timeZone) ?? [])),
            // Mostly 1-3 h before the change; sometimes from inside the shifted hour.
            minutesBefore: fc.oneof(
              { weight: 3, arbitrary: fc.integer({ min: 60, max: 180 }) },
              { weight: 1, arbitrary: fc.integer({ min: -90, max: 59 }) },
            ),
            jitter: fc.constantFrom(0, 0, 1, 17_345),
            // Sometimes a start or end inside the shifted hour: a repeated time whose first pass
            // is before the start does not run on its second pass.
            edge: fc.option(
              fc.record({
                kind: fc.constantFrom('start', 'end'),
                minutesFromChange: fc.integer({ min: -95, max: 95 }),
                jitter: fc.constantFrom(0, 1_234),
              }),
              { nil: undefined, freq: 2 },
            ),
          })
          .map(({ schedule, change, minutesBefore, jitter, edge }) => ({
            expression: schedule.expression,
            count: schedule.count,
            timeZone,
            after: change - minutesBefore * MINUTE + jitter,
            ...(edge
              ? { [edge.kind]: change + edge.minutesFromChange * MINUTE + edge.jitter }
              : {}),
          })),
      );
    fc.assert(
      fc.property(denseCase, (c) => expectCronMatchesOracle(c)),
      settings(20_241_103, 200),
    );
  }, 60_000);

  it('every listed run is later than the one before, inside the window, on a matching local time, and not a repeat', () => {
    fc.assert(
      fc.property(cronCase(20), (c) => {
        const runs = engineRuns(c);
        const cron = parseCronForOracle(c.expression);
        const why = describeCase(c);
        runs.forEach((t, i) => {
          const wall = localWallAt(c.timeZone, t);
          const label = `run ${i + 1} at ${runIn(c.timeZone)(t)} of ${why}`;
          expect(t > c.after, `${label}: not after "after"`).toBe(true);
          if (i > 0)
            expect(
              t > (runs[i - 1] ?? Number.POSITIVE_INFINITY),
              `${label}: not later than the run before`,
            ).toBe(true);
          if (c.start !== undefined) expect(t >= c.start, `${label}: before start`).toBe(true);
          if (c.end !== undefined) expect(t <= c.end, `${label}: after end`).toBe(true);
          expect(
            cronMatchesWall(cron, wall),
            `${label}: the local time does not match the cron`,
          ).toBe(true);
          expect(
            isFirstTimeOfWall(c.timeZone, t),
            `${label}: second pass of a repeated wall time`,
          ).toBe(true);
        });
        expect(runs.length, why).toBeLessThanOrEqual(c.count);
      }),
      settings(20_250_330, 300),
    );
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------

describe('next runs of a rate schedule', () => {
  const UNITS = {
    minutes: { ms: MINUTE, max: 1500 },
    hours: { ms: HOUR, max: 200 },
    days: { ms: DAY, max: 400 },
  };

  const rateCase = fc.constantFrom('minutes', 'hours', 'days').chain((unit) =>
    fc
      .record({
        value: fc.oneof(
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: UNITS[unit as keyof typeof UNITS].max }),
        ),
        singular: fc.boolean(),
        timeZone: fc.constantFrom(...ZONES),
        after: withPrecision(anyInstant),
        // none; k whole intervals (and maybe a bit) before `after`; or up to 10 days after it
        start: fc.oneof(
          fc.constant<{ intervalsBefore: number; extra: number } | { later: number } | undefined>(
            undefined,
          ),
          fc.record({
            intervalsBefore: fc.integer({ min: 0, max: 400 }),
            extra: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
          }),
          fc.record({ later: withPrecision(fc.integer({ min: 0, max: 10 * DAY })) }),
        ),
        end: optionalOffset(-DAY, 60 * DAY),
        count: fc.integer({ min: 1, max: 10 }),
      })
      .map(({ value, singular, timeZone, after, start, end, count }) => {
        const interval = value * UNITS[unit as keyof typeof UNITS].ms;
        const word = value === 1 && singular ? unit.slice(0, -1) : unit;
        let startAt: number | undefined;
        if (start && 'later' in start) startAt = after + start.later;
        else if (start)
          startAt = after - start.intervalsBefore * interval - Math.floor(start.extra * interval);
        return {
          expression: `rate(${value} ${word})`,
          timeZone,
          after,
          count,
          ...(startAt !== undefined ? { start: startAt } : {}),
          ...(end !== undefined ? { end: after + end } : {}),
        };
      }),
  );

  it('a rate schedule runs every fixed interval from its start (or from when it is created), whatever the time zone', () => {
    fc.assert(
      fc.property(rateCase, (c) => {
        const expected = oracleRateOccurrences(parseRateForOracle(c.expression), c);
        expect(engineRuns(c).map(iso), describeCase(c)).toEqual(expected.map(iso));
      }),
      settings(20_230_101, 500),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('the run of a one-time at() schedule', () => {
  const pad = (n: number) => String(n).padStart(2, '0');
  const atText = (w: LocalWall) =>
    `at(${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)})`;

  /** Naive wall-clock arithmetic: `wall` moved by whole minutes, as if there were no zone. */
  const shiftWall = (w: LocalWall, minutes: number): LocalWall => {
    const d = new Date(
      Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) + minutes * MINUTE,
    );
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
    };
  };

  const anyLocal = fc
    .record({
      year: fc.integer({ min: 2020, max: 2035 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.integer({ min: 0, max: 59 }),
    })
    .map((w) => ({ ...w, day: Math.min(w.day, daysInMonth(w.year, w.month)) }));

  const atCase = fc.constantFrom(...ZONES).chain((timeZone) => {
    const changes = TRANSITIONS.get(timeZone) ?? [];
    // The wall clock just before an offset change, moved up to ±2 h: lands in gaps and overlaps.
    const nearChange =
      changes.length === 0
        ? anyLocal
        : fc
            .tuple(
              fc.constantFrom(...changes),
              fc.oneof(fc.integer({ min: -65, max: 65 }), fc.integer({ min: -120, max: 120 })),
              fc.integer({ min: 0, max: 59 }),
            )
            .map(([at, minutes, second]) => ({
              ...shiftWall(localWallAt(timeZone, at - MINUTE), minutes),
              second,
            }));
    return fc.record({
      timeZone: fc.constant(timeZone),
      local: fc.oneof({ weight: 1, arbitrary: anyLocal }, { weight: 3, arbitrary: nearChange }),
      afterShift: withPrecision(fc.integer({ min: -3 * DAY, max: 3 * DAY })),
      start: optionalOffset(-3 * DAY, 3 * DAY),
      end: optionalOffset(-3 * DAY, 3 * DAY),
    });
  });

  it('a one-time schedule runs once at its local time, never when that time is skipped by daylight saving, at the first of two', () => {
    fc.assert(
      fc.property(atCase, ({ timeZone, local, afterShift, start, end }) => {
        const expression = atText(local);
        const naive = Date.UTC(
          local.year,
          local.month - 1,
          local.day,
          local.hour,
          local.minute,
          local.second,
        );
        const runsAt = oracleAtRun(parseAtForOracle(expression), timeZone);
        // Around the naive instant, and exactly at / just before the real run.
        const afters = [naive + afterShift, ...(runsAt !== undefined ? [runsAt, runsAt - 1] : [])];
        for (const after of afters) {
          // Start and end are ignored for one-time schedules.
          const c = {
            expression,
            timeZone,
            after,
            count: 3,
            ...(start !== undefined ? { start: naive + start } : {}),
            ...(end !== undefined ? { end: naive + end } : {}),
          };
          // Listed only while it is still ahead.
          const expected = runsAt !== undefined && runsAt > after ? [iso(runsAt)] : [];
          expect(engineRuns(c).map(iso), describeCase(c)).toEqual(expected);
        }
      }),
      settings(20_221_030, 300),
    );
  });
});
