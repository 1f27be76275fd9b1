// biome-ignore-all lint/suspicious/noConsole: a benchmark prints its figures
/**
 * Benchmark: next 1,000 occurrences of typical EventBridge Scheduler expressions, computed by our
 * engine, croner and cron-parser in the same run, plus a check that every library that can
 * express a schedule produces the same instants as ours.
 *
 *   npm run bench:expressions        (= npx tsx bench/expressions.bench.ts)
 *
 * Method
 * - All libraries start from the same instant (FROM) and run in the time zone of the case.
 * - "compute": the expression is parsed once outside the timed loop. Ours: nextOccurrences();
 *   croner: one Cron object, nextRuns(n, FROM); cron-parser: one CronExpression, reset(FROM) then
 *   n × next() (its iterator is stateful, reset() rewinds it; the reset is inside the timed loop;
 *   next() rather than take(), because take() swallows errors and silently returns fewer dates).
 * - "parse+1st": parsing plus the first occurrence, timed separately (ours: parseExpression +
 *   nextOccurrences(count 1), which includes compiling the expression on first use; croner:
 *   new Cron + nextRun; cron-parser: CronExpressionParser.parse + next()); "incl. parse" =
 *   compute + parse+1st (so it counts one occurrence twice, the same for every library).
 * - Per measurement: warm-up, then a number of calls per round calibrated on the warm-up (so a
 *   round lasts at least MIN_ROUND_MS), ROUNDS timed rounds, median of the per-call times.
 *   Figures are µs per call, i.e. per n occurrences (n = 1,000 unless EventBridge's year limit,
 *   2199, or the year field of the expression ends the schedule sooner; every library is timed
 *   for the same n).
 * - Correctness: each library is asked for 1,000 occurrences; instants in local years after 2199
 *   (which EventBridge cannot reach) are dropped, the lists are compared up to the last instant
 *   both of them cover, and any difference is reported: "differs (DST)" when every differing
 *   instant lies within DST_WINDOW_MS of a UTC-offset change of the zone (EventBridge skips
 *   local times that do not exist and runs repeated local times once, croner and cron-parser
 *   do not always), otherwise "MISMATCH".
 *
 * Syntax mapping (EventBridge → croner / cron-parser), done by hand per case below:
 * - 6 EventBridge fields `min hour dom month dow year` → 5 Unix fields `min hour dom month dow`
 *   (croner: 7 fields `sec min hour dom month dow year` where a year range is needed).
 * - `?` → `*`. With one of day-of-month/day-of-week a wildcard, croner's OR/AND (domAndDow,
 *   formerly legacyMode) choice makes no difference, so croner runs with its defaults.
 * - Day of week: EventBridge 1-7 = SUN-SAT, Unix 0-6 = SUN-SAT; names are used (2#1 → MON#1,
 *   6L → FRI#L in croner; cron-parser would need 5L, as it rejects `#L`, but the 6L case has a
 *   year range, so it is n/a there).
 * - `0/15` → `*\/15` (croner rejects a numeric start with a step unless sloppyRanges is set).
 * - Wrap-around hour ranges (`20-2`) are rejected by both → split into `20-23,0-2`.
 * - No mapping (n/a): rate(), at(); year field in cron-parser; `W` and `LW` in cron-parser.
 */

import { CronExpressionParser } from 'cron-parser';
import { Cron } from 'croner';
import { fieldsFromWall, type WallFields } from '../src/scheduling/expression/calendar.js';
import { nextOccurrences, parseExpression } from '../src/scheduling/expression/index.js';
import { zoneRules } from '../src/scheduling/expression/time-zone.js';

type ScheduleExpression = Extract<ReturnType<typeof parseExpression>, { ok: true }>['expression'];

const FROM = new Date('2026-01-01T00:00:00Z');
const COUNT = 1000;
const LAST_EVENTBRIDGE_YEAR = 2199;
const ROUNDS = 7;
const WARMUP_MIN_CALLS = 2;
const WARMUP_MIN_MS = 20;
const MIN_ROUND_MS = 5;
const MAX_CALLS_PER_ROUND = 100_000;
const DST_WINDOW_MS = 3 * 3_600_000;

interface Case {
  /** EventBridge Scheduler expression. */
  expression: string;
  timeZone: string;
  /** croner pattern, or why it cannot express the schedule. */
  croner: string | { na: string };
  /** cron-parser pattern, or why it cannot express the schedule. */
  cronParser: string | { na: string };
  /** Rate schedules need an anchor: EventBridge counts them from the schedule's start. */
  anchored?: boolean;
}

const NO_RATE = { na: 'no rate()' };

const cases: Case[] = [
  {
    expression: 'cron(0/15 * * * ? *)',
    timeZone: 'UTC',
    croner: '*/15 * * * *',
    cronParser: '*/15 * * * *',
  },
  {
    expression: 'cron(0 10 * * ? *)',
    timeZone: 'UTC',
    croner: '0 10 * * *',
    cronParser: '0 10 * * *',
  },
  {
    expression: 'cron(0 18 ? * MON-FRI *)',
    timeZone: 'Europe/Berlin',
    croner: '0 18 * * MON-FRI',
    cronParser: '0 18 * * MON-FRI',
  },
  {
    expression: 'cron(0 8 1 * ? *)',
    timeZone: 'UTC',
    croner: '0 8 1 * *',
    cronParser: '0 8 1 * *',
  },
  {
    expression: 'cron(0/10 * ? * MON-FRI *)',
    timeZone: 'UTC',
    croner: '*/10 * * * MON-FRI',
    cronParser: '*/10 * * * MON-FRI',
  },
  {
    expression: 'cron(0/5 8-17 ? * MON-FRI *)',
    timeZone: 'America/New_York',
    croner: '*/5 8-17 * * MON-FRI',
    cronParser: '*/5 8-17 * * MON-FRI',
  },
  {
    expression: 'cron(0/30 20-2 ? * MON-FRI *)',
    timeZone: 'UTC',
    croner: '*/30 20-23,0-2 * * MON-FRI',
    cronParser: '*/30 20-23,0-2 * * MON-FRI',
  },
  {
    expression: 'cron(5,35 14 * * ? *)',
    timeZone: 'UTC',
    croner: '5,35 14 * * *',
    cronParser: '5,35 14 * * *',
  },
  {
    expression: 'cron(15 10 ? * 6L 2022-2030)',
    timeZone: 'UTC',
    croner: '0 15 10 * * FRI#L 2022-2030',
    cronParser: { na: 'no year field' },
  },
  {
    expression: 'cron(0 9 ? * 2#1 *)',
    timeZone: 'UTC',
    croner: '0 9 * * MON#1',
    cronParser: '0 9 * * MON#1',
  },
  {
    expression: 'cron(30 2 * * ? *)',
    timeZone: 'America/Los_Angeles',
    croner: '30 2 * * *',
    cronParser: '30 2 * * *',
  },
  {
    // A list in the hours field: croner treats it as an "interval job" (runs a repeated local
    // time twice), EventBridge runs it once.
    expression: 'cron(30 1,13 * * ? *)',
    timeZone: 'America/New_York',
    croner: '30 1,13 * * *',
    cronParser: '30 1,13 * * *',
  },
  {
    expression: 'cron(0 0 L * ? *)',
    timeZone: 'UTC',
    croner: '0 0 L * *',
    cronParser: '0 0 L * *',
  },
  {
    expression: 'cron(0 12 15W * ? *)',
    timeZone: 'UTC',
    croner: '0 12 15W * *',
    cronParser: { na: 'no W' },
  },
  {
    expression: 'cron(0 6 LW * ? *)',
    timeZone: 'UTC',
    croner: '0 6 LW * *',
    cronParser: { na: 'no LW' },
  },
  {
    expression: 'cron(45 23 31 * ? *)',
    timeZone: 'UTC',
    croner: '45 23 31 * *',
    cronParser: '45 23 31 * *',
  },
  {
    expression: 'cron(0 0 29 2 ? *)',
    timeZone: 'UTC',
    croner: '0 0 29 2 *',
    cronParser: '0 0 29 2 *',
  },
  {
    expression: 'cron(30 8 * * ? *)',
    timeZone: 'Asia/Kolkata',
    croner: '30 8 * * *',
    cronParser: '30 8 * * *',
  },
  {
    expression: 'cron(0 3 * * ? *)',
    timeZone: 'Australia/Lord_Howe',
    croner: '0 3 * * *',
    cronParser: '0 3 * * *',
  },
  {
    expression: 'cron(0 12 ? JAN,APR,JUL,OCT MON#1 *)',
    timeZone: 'UTC',
    croner: '0 12 * JAN,APR,JUL,OCT MON#1',
    cronParser: '0 12 * JAN,APR,JUL,OCT MON#1',
  },
  {
    expression: 'rate(5 minutes)',
    timeZone: 'UTC',
    croner: NO_RATE,
    cronParser: NO_RATE,
    anchored: true,
  },
  {
    expression: 'rate(1 day)',
    timeZone: 'UTC',
    croner: NO_RATE,
    cronParser: NO_RATE,
    anchored: true,
  },
  {
    expression: 'cron(* * * * ? *)',
    timeZone: 'UTC',
    croner: '* * * * *',
    cronParser: '* * * * *',
  },
];

// ---------------------------------------------------------------------------------------------
// Library adapters: each gives a "compute" function (parsed once) and an "incl. parse" function.

type Lib = 'ours' | 'croner' | 'cron-parser';
const LIBS: readonly Lib[] = ['ours', 'croner', 'cron-parser'];

interface Runner {
  /** Occurrences after FROM, parsed once. */
  compute(count: number): Date[];
  /**
   * Parse, then the first occurrence only: the cost of a fresh expression beyond n occurrences
   * (ours compiles an expression on its first use, so parsing alone would flatter it).
   */
  parse(): unknown;
}

type Prepared = { runner: Runner } | { na: string } | { error: string };

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function prepareOurs(c: Case): Prepared {
  const parsed = parseExpression(c.expression, { dialect: 'scheduler' });
  if (!parsed.ok) return { error: `${parsed.error.code}: ${parsed.error.message}` };
  const expression: ScheduleExpression = parsed.expression;
  const options = (count: number) => ({
    after: FROM,
    timeZone: c.timeZone,
    count,
    ...(c.anchored ? { start: FROM } : {}),
  });
  return {
    runner: {
      compute: (count) => nextOccurrences(expression, options(count)),
      parse: () => {
        const again = parseExpression(c.expression, { dialect: 'scheduler' });
        if (!again.ok) throw new Error(again.error.message);
        return nextOccurrences(again.expression, options(1));
      },
    },
  };
}

function prepareCroner(c: Case): Prepared {
  const pattern = c.croner;
  if (typeof pattern !== 'string') return pattern;
  try {
    // No callback: the job is never scheduled, it only evaluates the pattern.
    const job = new Cron(pattern, { timezone: c.timeZone });
    return {
      runner: {
        compute: (count) => job.nextRuns(count, FROM),
        parse: () => new Cron(pattern, { timezone: c.timeZone }).nextRun(FROM),
      },
    };
  } catch (error) {
    return { error: message(error) };
  }
}

function prepareCronParser(c: Case): Prepared {
  const pattern = c.cronParser;
  if (typeof pattern !== 'string') return pattern;
  try {
    const parse = () => CronExpressionParser.parse(pattern, { currentDate: FROM, tz: c.timeZone });
    const iterator = parse();
    return {
      runner: {
        compute: (count) => {
          iterator.reset(FROM);
          const out: Date[] = [];
          try {
            while (out.length < count) out.push(iterator.next().toDate());
          } catch (error) {
            const last = out[out.length - 1];
            const at = last ? `, the last at ${describe(c.timeZone, last.getTime())}` : '';
            throw new Error(`threw after ${out.length} occurrences${at}: ${message(error)}`);
          }
          return out;
        },
        parse: () => parse().next(),
      },
    };
  } catch (error) {
    return { error: message(error) };
  }
}

const prepare: Record<Lib, (c: Case) => Prepared> = {
  ours: prepareOurs,
  croner: prepareCroner,
  'cron-parser': prepareCronParser,
};

// ---------------------------------------------------------------------------------------------
// Time zones: the engine's own zone rules classify differences (outside every timed loop).

function offsetMs(timeZone: string, instant: number): number {
  return zoneRules(timeZone).offsetAt(instant);
}

function localParts(timeZone: string, instant: number): WallFields {
  return fieldsFromWall(zoneRules(timeZone).wallAt(instant));
}

function nearDstTransition(timeZone: string, instant: number): boolean {
  return (
    offsetMs(timeZone, instant - DST_WINDOW_MS) !== offsetMs(timeZone, instant + DST_WINDOW_MS)
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

function describe(timeZone: string, instant: number): string {
  const iso = new Date(instant).toISOString().replace('.000Z', 'Z');
  if (timeZone === 'UTC') return iso;
  const p = localParts(timeZone, instant);
  const off = offsetMs(timeZone, instant) / 60_000;
  const sign = off < 0 ? '-' : '+';
  const offText = `${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${iso} (${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)} ${offText})`;
}

// ---------------------------------------------------------------------------------------------
// Correctness check against ours.

type Verdict = 'ok' | 'differs (DST)' | 'MISMATCH';

interface Comparison {
  verdict: Verdict;
  details: string[];
}

function compare(c: Case, ours: Date[], theirsRaw: Date[]): Comparison {
  // EventBridge has no year after 2199 (local time); the other libraries go on to 9999.
  const theirs = theirsRaw.filter(
    (d) => localParts(c.timeZone, d.getTime()).year <= LAST_EVENTBRIDGE_YEAR,
  );
  // A list that reached COUNT says nothing about what comes after its last instant.
  const horizon = (list: Date[], requested: number) =>
    list.length >= requested
      ? (list[list.length - 1]?.getTime() ?? Number.POSITIVE_INFINITY)
      : Number.POSITIVE_INFINITY;
  const limit = Math.min(horizon(ours, COUNT), horizon(theirsRaw, COUNT));
  const a = new Set(ours.map((d) => d.getTime()).filter((t) => t <= limit));
  const b = new Set(theirs.map((d) => d.getTime()).filter((t) => t <= limit));
  const onlyOurs = [...a].filter((t) => !b.has(t));
  const onlyTheirs = [...b].filter((t) => !a.has(t));
  const increasing = (list: Date[]) =>
    list.every((d, i) => i === 0 || d.getTime() > (list[i - 1]?.getTime() ?? 0));
  const details: string[] = [];
  if (!increasing(ours)) details.push('ours is not strictly increasing');
  if (!increasing(theirs)) details.push('theirs is not strictly increasing');
  if (onlyOurs.length === 0 && onlyTheirs.length === 0 && details.length === 0) {
    return { verdict: 'ok', details };
  }
  const differing = [...onlyOurs, ...onlyTheirs];
  const dst = details.length === 0 && differing.every((t) => nearDstTransition(c.timeZone, t));
  const show = (label: string, list: number[]) => {
    if (list.length === 0) return;
    const shown = list
      .slice(0, 4)
      .map((t) => describe(c.timeZone, t))
      .join(', ');
    details.push(`${list.length} only in ${label}: ${shown}${list.length > 4 ? ', …' : ''}`);
  };
  show('ours', onlyOurs);
  show('theirs', onlyTheirs);
  return { verdict: dst ? 'differs (DST)' : 'MISMATCH', details };
}

// ---------------------------------------------------------------------------------------------
// Timing.

let sink = 0;

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

const keep = (value: unknown) => {
  sink += Array.isArray(value) ? value.length : value ? 1 : 0;
};

/** Median µs per call of fn. */
function measure(fn: () => unknown): number {
  // Warm-up, which also calibrates how many calls make a round of at least MIN_ROUND_MS.
  const warmStart = nowMs();
  let warmCalls = 0;
  while (warmCalls < WARMUP_MIN_CALLS || nowMs() - warmStart < WARMUP_MIN_MS) {
    keep(fn());
    warmCalls++;
  }
  const msPerCall = (nowMs() - warmStart) / warmCalls;
  const calls = Math.min(MAX_CALLS_PER_ROUND, Math.max(1, Math.ceil(MIN_ROUND_MS / msPerCall)));
  const perCall: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = nowMs();
    for (let i = 0; i < calls; i++) keep(fn());
    perCall.push(((nowMs() - t0) * 1000) / calls);
  }
  perCall.sort((x, y) => x - y);
  return perCall[Math.floor(perCall.length / 2)] ?? Number.NaN;
}

// ---------------------------------------------------------------------------------------------
// Run.

type Cell = { us: number; parseUs: number } | { na: string } | { error: string };

interface Row {
  c: Case;
  n: number;
  cells: Record<Lib, Cell>;
  checks: Partial<Record<Lib, Comparison>>;
}

function runCase(c: Case): Row {
  const prepared = {} as Record<Lib, Prepared>;
  for (const lib of LIBS) prepared[lib] = prepare[lib](c);
  const cells = {} as Record<Lib, Cell>;
  const checks: Row['checks'] = {};
  const lists = {} as Partial<Record<Lib, Date[]>>;

  for (const lib of LIBS) {
    const p = prepared[lib];
    if (!('runner' in p)) continue;
    try {
      lists[lib] = p.runner.compute(COUNT);
    } catch (error) {
      prepared[lib] = { error: message(error) };
    }
  }
  const ours = lists.ours;
  // Time every library for the number of occurrences ours finds (fewer than COUNT only when the
  // schedule ends first), so that all of them do the same work.
  const n = ours ? Math.max(1, Math.min(COUNT, ours.length)) : COUNT;

  for (const lib of ['croner', 'cron-parser'] as const) {
    const theirs = lists[lib];
    if (ours && theirs) checks[lib] = compare(c, ours, theirs);
  }
  // cron-parser's reset() must rewind exactly like a fresh parse, or "compute" would be unfair.
  const cp = prepared['cron-parser'];
  const cpList = lists['cron-parser'];
  if ('runner' in cp && cpList) {
    const fresh = CronExpressionParser.parse(String(c.cronParser), {
      currentDate: FROM,
      tz: c.timeZone,
    });
    if (cpList.slice(0, 100).some((d) => d.getTime() !== fresh.next().getTime())) {
      throw new Error(`cron-parser reset() differs from a fresh parse for ${c.expression}`);
    }
  }

  for (const lib of LIBS) {
    const p = prepared[lib];
    if (!('runner' in p)) {
      cells[lib] = p;
      continue;
    }
    try {
      const us = measure(() => p.runner.compute(n));
      const parseUs = measure(() => p.runner.parse());
      cells[lib] = { us, parseUs };
    } catch (error) {
      cells[lib] = { error: message(error) };
    }
  }
  return { c, n, cells, checks };
}

// ---------------------------------------------------------------------------------------------
// Output.

function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const timeOf = (cell: Cell, withParse: boolean): number | undefined =>
  'us' in cell ? (withParse ? cell.us + cell.parseUs : cell.us) : undefined;

function fmtTime(cell: Cell, withParse: boolean): string {
  if ('na' in cell) return 'n/a';
  if ('error' in cell) return 'ERROR';
  const us = timeOf(cell, withParse) ?? Number.NaN;
  return us >= 100 ? us.toFixed(0) : us.toFixed(1);
}

function fmtRatio(theirs: Cell, ours: Cell, withParse: boolean): string {
  const t = timeOf(theirs, withParse);
  const o = timeOf(ours, withParse);
  if (t === undefined || o === undefined) return 'n/a';
  return `${(t / o).toFixed(2)}x`;
}

function fmtCheck(row: Row, lib: 'croner' | 'cron-parser'): string {
  const cell = row.cells[lib];
  if ('na' in cell) return 'n/a';
  if ('error' in row.cells.ours) return '-';
  if ('error' in cell) return 'ERROR';
  return row.checks[lib]?.verdict ?? '-';
}

function summary(rows: Row[], withParse: boolean): string {
  let comparable = 0;
  const notFaster: string[] = [];
  for (const row of rows) {
    const ours = timeOf(row.cells.ours, withParse);
    const others = [
      timeOf(row.cells.croner, withParse),
      timeOf(row.cells['cron-parser'], withParse),
    ].filter((t): t is number => t !== undefined);
    if (ours === undefined || others.length === 0) continue;
    comparable++;
    const fastest = Math.min(...others);
    if (!(ours < fastest)) notFaster.push(`${row.c.expression} (${(fastest / ours).toFixed(2)}x)`);
  }
  const what = withParse ? 'incl. parse' : 'compute only';
  if (comparable === 0) return `[${what}] no expression could be compared.`;
  if (notFaster.length === 0) {
    return `[${what}] YES: ours was faster than the faster of croner/cron-parser on every one of the ${comparable} expressions they can express.`;
  }
  return `[${what}] NO: ours was faster than the faster of croner/cron-parser on ${comparable - notFaster.length} of ${comparable} expressions; not on: ${notFaster.join('; ')}.`;
}

function fmtParse(cell: Cell): string {
  if ('na' in cell) return 'n/a';
  if ('error' in cell) return 'ERROR';
  return cell.parseUs.toFixed(2);
}

function main(): void {
  const started = nowMs();
  console.log('EventBridge Scheduler expressions: next occurrences, ours vs croner vs cron-parser');
  console.log(
    `node ${process.version}, ${process.arch}; all from ${FROM.toISOString()}; n = ${COUNT} ` +
      '(fewer where the schedule ends before); µs per call = per n occurrences, ' +
      `median of ${ROUNDS} rounds after warm-up`,
  );
  console.log('');

  const rows: Row[] = [];
  for (const c of cases) rows.push(runCase(c));

  const head = (row: Row, i: number) => [
    String(i + 1),
    row.c.expression,
    row.c.timeZone,
    String(row.n),
  ];
  console.log(
    'Compute only (parsed once outside the timed loop; cron-parser: reset(from) + n × next()):',
  );
  console.log(
    table(
      [
        '#',
        'expression',
        'zone',
        'n',
        'ours µs',
        'croner µs',
        'c-parser µs',
        'croner/ours',
        'c-parser/ours',
        'croner check',
        'c-parser check',
      ],
      rows.map((row, i) => [
        ...head(row, i),
        fmtTime(row.cells.ours, false),
        fmtTime(row.cells.croner, false),
        fmtTime(row.cells['cron-parser'], false),
        fmtRatio(row.cells.croner, row.cells.ours, false),
        fmtRatio(row.cells['cron-parser'], row.cells.ours, false),
        fmtCheck(row, 'croner'),
        fmtCheck(row, 'cron-parser'),
      ]),
      new Set([3, 4, 5, 6, 7, 8]),
    ),
  );
  console.log('');
  console.log(
    'Incl. parse (= compute + parse+1st; parse+1st = parse and first occurrence, timed on its own, µs):',
  );
  console.log(
    table(
      [
        '#',
        'expression',
        'zone',
        'n',
        'ours parse+1st',
        'croner parse+1st',
        'c-parser parse+1st',
        'ours µs',
        'croner µs',
        'c-parser µs',
        'croner/ours',
        'c-parser/ours',
      ],
      rows.map((row, i) => [
        ...head(row, i),
        fmtParse(row.cells.ours),
        fmtParse(row.cells.croner),
        fmtParse(row.cells['cron-parser']),
        fmtTime(row.cells.ours, true),
        fmtTime(row.cells.croner, true),
        fmtTime(row.cells['cron-parser'], true),
        fmtRatio(row.cells.croner, row.cells.ours, true),
        fmtRatio(row.cells['cron-parser'], row.cells.ours, true),
      ]),
      new Set([3, 4, 5, 6, 7, 8, 9, 10, 11]),
    ),
  );
  console.log('');
  console.log(
    'Ratios > 1 mean ours is faster. n/a: the library cannot express the schedule. Checks compare ' +
      'the instants with ours; "differs (DST)": only instants within 3 h of a DST change differ.',
  );

  const notes: string[] = [];
  rows.forEach((row, i) => {
    for (const lib of LIBS) {
      const cell = row.cells[lib];
      if ('error' in cell) {
        notes.push(`#${i + 1} ${row.c.expression} [${row.c.timeZone}] ${lib} ERROR: ${cell.error}`);
      }
    }
    for (const lib of ['croner', 'cron-parser'] as const) {
      const check = row.checks[lib];
      if (!check || check.verdict === 'ok') continue;
      const pattern = lib === 'croner' ? row.c.croner : row.c.cronParser;
      notes.push(
        `#${i + 1} ${row.c.expression} [${row.c.timeZone}] vs ${lib} '${String(pattern)}': ${check.verdict}`,
      );
      for (const d of check.details) notes.push(`    ${d}`);
    }
  });
  if (notes.length > 0) {
    console.log('');
    console.log('Errors and differences:');
    for (const note of notes) console.log(`  ${note}`);
  }

  const compared = rows.flatMap((row) => Object.values(row.checks));
  const count = (v: Verdict) => compared.filter((x) => x.verdict === v).length;
  const errors = rows.flatMap((row) => LIBS.filter((lib) => 'error' in row.cells[lib])).length;
  console.log('');
  console.log(
    `Correctness: ${compared.length} comparisons with ours: ${count('ok')} identical, ` +
      `${count('differs (DST)')} differ only around DST transitions, ${count('MISMATCH')} MISMATCH; ` +
      `${errors} library error(s).`,
  );
  console.log(summary(rows, false));
  console.log(summary(rows, true));
  console.log(`(total ${((nowMs() - started) / 1000).toFixed(1)} s, checksum ${sink})`);
}

main();
