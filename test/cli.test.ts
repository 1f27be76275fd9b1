import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';

const now = new Date('2026-11-29T08:00:00Z');

function cli(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = runCli(argv, {
    stdout: (l) => stdout.push(l),
    stderr: (l) => stderr.push(l),
    now: () => now,
  });
  return { code, stdout, stderr };
}

describe('pipeline-schedule next', () => {
  it('prints the last Fridays of January, February and March 2022 at 10:15 UTC', () => {
    const r = cli(
      'next',
      'cron(15 10 ? * 6L 2022-2023)',
      '--from',
      '2022-01-01T00:00:00Z',
      '--count',
      '3',
    );
    expect(r).toEqual({
      code: 0,
      stdout: ['2022-01-28T10:15:00Z', '2022-02-25T10:15:00Z', '2022-03-25T10:15:00Z'],
      stderr: [],
    });
  });

  it('skips the 02:30 that does not exist in New York on 2027-03-14', () => {
    const r = cli(
      'next',
      'cron(30 2 * * ? *)',
      '--tz',
      'America/New_York',
      '--from',
      '2027-03-13T12:00:00Z',
      '--count',
      '2',
    );
    expect(r.stdout).toEqual(['2027-03-15T06:30:00Z', '2027-03-16T06:30:00Z']);
    expect(r.code).toBe(0);
  });

  it('defaults to five runs after now', () => {
    const r = cli('next', 'cron(0 9 * * ? *)');
    expect(r.stdout).toEqual([
      '2026-11-29T09:00:00Z',
      '2026-11-30T09:00:00Z',
      '2026-12-01T09:00:00Z',
      '2026-12-02T09:00:00Z',
      '2026-12-03T09:00:00Z',
    ]);
  });

  it('starts a rate with no --start at --from itself', () => {
    expect(
      cli('next', 'rate(6 hours)', '--from', '2026-01-01T00:00:00Z', '--count', '2').stdout,
    ).toEqual(['2026-01-01T00:00:00Z', '2026-01-01T06:00:00Z']);
    expect(
      cli(
        'next',
        'rate(6 hours)',
        '--from',
        '2026-01-01T00:00:00Z',
        '--start',
        '2026-01-01T01:00:00Z',
        '--count',
        '1',
      ).stdout,
    ).toEqual(['2026-01-01T01:00:00Z']);
  });

  it('reads --start and --end without an offset in --tz', () => {
    const r = cli(
      'next',
      'cron(0 9 * * ? *)',
      '--tz',
      'Europe/Berlin',
      '--from',
      '2026-12-01T00:00:00Z',
      '--end',
      '2026-12-02T09:00',
      '--count',
      '9',
    );
    expect(r.stdout).toEqual(['2026-12-01T08:00:00Z', '2026-12-02T08:00:00Z']);
  });

  it('joins an unquoted cron the shell split into words', () => {
    expect(cli('next', 'cron(0', '9', '*', '*', '?', '*)', '--count', '1').stdout).toEqual([
      '2026-11-29T09:00:00Z',
    ]);
  });

  it.each([
    [
      ['next', 'cron(0 8 ? * 8 *)'],
      /^pipeline-schedule: day-of-week: 8 is out of range 1-7 \(1 = Sunday\)$/,
    ],
    [['next', 'cron(0 8 * * ? *)', '--tz', 'Berlin'], /"Berlin" is not an IANA time zone/],
    [
      ['next', 'cron(0 8 * * ? *)', '--from', 'yesterday'],
      /from: "yesterday" is not an ISO-8601 date-time/,
    ],
    [
      ['next', 'cron(0 8 * * ? *)', '--from', '2026-02-30T00:00:00Z'],
      /from: "2026-02-30T00:00:00Z" is not a real date and time/,
    ],
    [
      ['next', 'cron(0 8 * * ? *)', '--count', '0'],
      /count: "0" should be a whole number from 1 to 10000/,
    ],
    [['next', 'cron(0 8 * * ? *)', '--count', 'many'], /count: "many" should be a whole number/],
    [
      [
        'next',
        'cron(0 8 * * ? *)',
        '--start',
        '2026-12-02T00:00:00Z',
        '--end',
        '2026-12-01T00:00:00Z',
      ],
      /end .* must be after start/,
    ],
    [
      ['next', 'cron(0 8 * * ? *)', '--tz', 'America/New_York', '--start', '2027-03-14T02:30'],
      /start: 2027-03-14T02:30 does not exist in America\/New_York/,
    ],
    [['next', 'cron(0 8 * * ? *)', '--zone', 'UTC'], /Unknown option '--zone'/],
    [['next'], /next needs an expression/],
    [['nxet', 'cron(0 8 * * ? *)'], /unknown command "nxet"/],
  ])('refuses %j with exit 2 and the reason on stderr', (argv, message) => {
    const r = cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toEqual([]);
    expect(r.stderr[0]).toMatch(message);
  });

  it('shows where the mistake is', () => {
    expect(cli('next', 'cron(0 8 ? * 8 *)').stderr).toEqual([
      'pipeline-schedule: day-of-week: 8 is out of range 1-7 (1 = Sunday)',
      '  cron(0 8 ? * 8 *)',
      '               ^',
    ]);
  });
});

describe('pipeline-schedule validate', () => {
  it('prints the description, the next runs and the warnings', () => {
    const r = cli(
      'validate',
      'cron(30 2 * * ? *)',
      '--tz',
      'America/New_York',
      '--from',
      '2027-03-01T00:00:00Z',
    );
    expect(r.code).toBe(0);
    expect(r.stdout[0]).toBe('at 02:30, every day, America/New_York');
    expect(r.stdout).toContain('  2027-03-01T07:30:00Z');
    // In November New York repeats 01:00-02:00, so 02:30 is not affected then.
    expect(r.stdout.filter((l) => l.startsWith('warning: '))).toEqual([
      'warning: on 2027-03-14 clocks in America/New_York jump from 02:00 to 03:00: the 02:30 run does not exist that day and is skipped',
    ]);
  });

  it('rejects an invalid expression with exit 2', () => {
    const r = cli('validate', 'cron(0 12 * * * *)');
    expect(r.code).toBe(2);
    expect(r.stderr[0]).toMatch(/cron needs \? in day-of-month or day-of-week/);
  });

  it('prints usage for help, and to stderr with exit 2 when given nothing', () => {
    expect(cli('help').stdout[0]).toMatch(/^Usage:/);
    expect(cli('--help').code).toBe(0);
    const bare = cli();
    expect(bare.code).toBe(2);
    expect(bare.stderr[0]).toMatch(/^Usage:/);
  });
});

describe('the installed pipeline-schedule command', () => {
  const bin = fileURLToPath(new URL('../bin/pipeline-schedule.js', import.meta.url));
  const run = promisify(execFile);

  it('runs from a checkout and exits 0 with the runs on stdout', async () => {
    const { stdout } = await run(process.execPath, [
      bin,
      'next',
      'cron(15 10 ? * 6L 2022-2023)',
      '--from',
      '2022-01-01T00:00:00Z',
      '--count',
      '3',
    ]);
    expect(stdout).toBe('2022-01-28T10:15:00Z\n2022-02-25T10:15:00Z\n2022-03-25T10:15:00Z\n');
  });

  it('exits 2 with the reason on stderr', async () => {
    const failure = await run(process.execPath, [bin, 'validate', 'rate(0 minutes)']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/rate: the value must be at least 1/),
    });
  });
});
