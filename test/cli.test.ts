import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { usages } from '../src/bot/commands/grammar.js';
import { MAX_ARGUMENT_FILE_BYTES } from '../src/bot/commands/read-local-file.js';
import { runCli } from '../src/cli.js';
import { runCliCaptured } from './support/cli-run.js';

const now = new Date('2026-11-29T08:00:00Z');

const cli = (...argv: string[]) => runCliCaptured(argv, { now });

describe('pipeline-schedule next', () => {
  it('prints the last Fridays of January, February and March 2022 at 10:15 UTC', async () => {
    const r = await cli(
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

  it('skips the 02:30 that does not exist in New York on 2027-03-14', async () => {
    const newYork = [
      'next',
      'cron(30 2 * * ? *)',
      '--tz',
      'America/New_York',
      '--from',
      '2027-03-13T12:00:00Z',
      '--count',
      '2',
    ];
    const r = await cli(...newYork);
    // A person reads New York's 02:30; a program reads the instant.
    expect(r.stdout).toEqual(['2027-03-15T02:30:00-04:00', '2027-03-16T02:30:00-04:00']);
    expect(r.code).toBe(0);
    const utc = await cli(...newYork, '--utc');
    expect(utc.stdout).toEqual(['2027-03-15T06:30:00Z', '2027-03-16T06:30:00Z']);
    const json = await cli(
      'next',
      'cron(30 2 * * ? *)',
      'tz=America/New_York',
      'from=2027-03-13T12:00:00Z',
      'count=2',
      '--json',
    );
    expect(JSON.parse(json.stdout.join(''))).toMatchObject({
      timeZone: 'America/New_York',
      runs: ['2027-03-15T02:30:00-04:00', '2027-03-16T02:30:00-04:00'],
    });
  });

  it('defaults to five runs after now', async () => {
    const r = await cli('next', 'cron(0 9 * * ? *)');
    expect(r.stdout).toEqual([
      '2026-11-29T09:00:00Z',
      '2026-11-30T09:00:00Z',
      '2026-12-01T09:00:00Z',
      '2026-12-02T09:00:00Z',
      '2026-12-03T09:00:00Z',
    ]);
  });

  it('starts a rate with no --start at --from itself', async () => {
    expect(
      (await cli('next', 'rate(6 hours)', '--from', '2026-01-01T00:00:00Z', '--count', '2')).stdout,
    ).toEqual(['2026-01-01T00:00:00Z', '2026-01-01T06:00:00Z']);
    expect(
      (
        await cli(
          'next',
          'rate(6 hours)',
          '--from',
          '2026-01-01T00:00:00Z',
          '--start',
          '2026-01-01T01:00:00Z',
          '--count',
          '1',
        )
      ).stdout,
    ).toEqual(['2026-01-01T01:00:00Z']);
  });

  it('reads --start and --end without an offset in --tz', async () => {
    const r = await cli(
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
    expect(r.stdout).toEqual(['2026-12-01T09:00:00+01:00', '2026-12-02T09:00:00+01:00']);
  });

  it('joins an unquoted cron the shell split into words', async () => {
    expect((await cli('next', 'cron(0', '9', '*', '*', '?', '*)', '--count', '1')).stdout).toEqual([
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
    [
      ['next', 'cron(0 8 * * ? *)', '--tzz', 'UTC'],
      /next has no option tzz= \(did you mean tz=\?\) \(options: tz=/,
    ],
    [['next', 'cron(0 8 * * ? *)', '--tz'], /--tz needs a value: --tz <value> or tz=<value>/],
    [['next'], /next needs an expression/],
    [['nxet', 'cron(0 8 * * ? *)'], /unknown command "nxet"/],
  ])('refuses %j with exit 2 and the reason on stderr', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toEqual([]);
    expect(r.stderr[0]).toMatch(message);
  });

  it('shows where the mistake is', async () => {
    expect((await cli('next', 'cron(0 8 ? * 8 *)')).stderr).toEqual([
      'pipeline-schedule: day-of-week: 8 is out of range 1-7 (1 = Sunday)',
      '  cron(0 8 ? * 8 *)',
      '               ^',
    ]);
  });
});

describe('pipeline-schedule validate', () => {
  it('prints the description, the next runs and the warnings', async () => {
    const r = await cli(
      'validate',
      'cron(30 2 * * ? *)',
      '--tz',
      'America/New_York',
      '--from',
      '2027-03-01T00:00:00Z',
    );
    expect(r.code).toBe(0);
    expect(r.stdout[0]).toBe('at 02:30, every day, America/New_York');
    // In the schedule's zone, then the reader's (LOCAL_TZ=UTC here), with how far off it is.
    expect(r.stdout).toContain(
      '  Mon 2027-03-01 02:30 America/New_York, in 3 months (07:30 UTC for you)',
    );
    // In November New York repeats 01:00-02:00, so 02:30 is not affected then.
    expect(r.stdout.filter((l) => l.startsWith('warning: '))).toEqual([
      'warning: on 2027-03-14 clocks in America/New_York jump from 02:00 to 03:00: the 02:30 run does not exist that day and is skipped',
    ]);
  });

  it('rejects an invalid expression with exit 2', async () => {
    const r = await cli('validate', 'cron(0 12 * * * *)');
    expect(r.code).toBe(2);
    expect(r.stderr[0]).toMatch(/cron needs \? in day-of-month or day-of-week/);
  });

  it('prints usage for help, and to stderr with exit 2 when given nothing', async () => {
    const help = (await cli('help')).stdout;
    expect(help[0]).toBe('commands (help <command> for details):');
    expect(help).toContain(
      '  create        schedule a pipeline with at(…), rate(…) or cron(…); with no arguments, asks step by step',
    );
    // Every command, one line each, then how the command line writes options.
    expect(help.filter((l) => /^ {2}[a-z-]+ {2,}\S/.test(l))).toHaveLength(
      Object.keys(usages).length,
    );
    expect(help).toContain('  pipeline-schedule setup-events --help   wires AWS events to the bot');
    expect((await cli('--help')).stdout).toEqual(help);
    const bare = await cli();
    expect(bare.code).toBe(2);
    expect(bare.stderr).toEqual(help);
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

describe('pipeline-schedule against the local back end', () => {
  const run = async (env: Record<string, string>, ...argv: string[]) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runCli(argv, {
      stdout: (l) => stdout.push(l),
      stderr: (l) => stderr.push(l),
      now: () => now,
      env,
    });
    return { code, stdout, stderr };
  };
  const fresh = async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    return { DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'cli-')), 'bot.db')}` };
  };

  it('gives list, describe and history as JSON with --json, for scripts', async () => {
    const env = await fresh();
    await run(
      env,
      'create',
      'churn-train',
      'cron(0 8 ? * MON-FRI *)',
      'tz=Europe/Berlin',
      'name=churn-weekdays',
    );
    const listed = await run(env, 'list', '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout.join('\n'))).toMatchObject({
      triggers: [
        {
          ref: 'churn-weekdays',
          kind: 'schedule',
          state: 'ENABLED',
          pipelineNames: ['churn-train'],
        },
      ],
      more: false,
    });
    const described = JSON.parse(
      (await run(env, 'describe', 'churn-weekdays', '--json')).stdout.join('\n'),
    );
    expect(described).toMatchObject({
      kind: 'schedule',
      ref: 'churn-weekdays',
      trigger: { expression: 'cron(0 8 ? * MON-FRI *)', timeZone: 'Europe/Berlin' },
      description: 'at 08:00, Monday through Friday, Europe/Berlin',
    });
    // Instants as ISO-8601 in UTC; the raw AWS document held for write-back is not output.
    expect(described.nextRuns[0]).toMatch(/^\d{4}-\d\d-\d\dT0[67]:00:00\.000Z$/);
    expect(described.trigger).not.toHaveProperty('held');
    expect((await run(env, 'run', 'churn-train')).code).toBe(0);
    const history = JSON.parse(
      (await run(env, 'history', 'churn-train', '--json')).stdout.join('\n'),
    );
    expect(history).toMatchObject({ pipeline: 'churn-train' });
    expect(Array.isArray(history.executions)).toBe(true);
    expect((await run(env, 'list', '--jsn')).stderr.join('\n')).toMatch(/--jsn/);
  });

  it('creates, lists, describes, pauses and deletes a schedule, state kept between commands', async () => {
    const env = await fresh();
    const created = await run(
      env,
      'create',
      'churn-train',
      'cron(0 8 ? * MON-FRI *)',
      'tz=Europe/Berlin',
      'name=churn-weekdays',
      'param:Epochs=3',
    );
    expect(created.code).toBe(0);
    expect(created.stdout[0]).toBe(
      'created schedule churn-weekdays (enabled): churn-train at 08:00, Monday through Friday, Europe/Berlin',
    );
    // The runs since the back end created it (on its own clock): 08:00 Berlin, 07:00 or 06:00 UTC.
    expect(
      created.stdout.filter((l) =>
        /^ {4}\w{3} \d{4}-\d\d-\d\d 08:00 Europe\/Berlin.*\(0[67]:00 UTC for you\)$/.test(l),
      ),
    ).toHaveLength(5);
    expect((await run(env, 'list')).stdout).toEqual([
      'churn-weekdays  schedule  enabled   churn-train',
    ]);
    const described = await run(env, 'describe', 'churn-weekdays');
    expect(described.stdout).toEqual(
      expect.arrayContaining([
        '  runs: at 08:00, Monday through Friday, Europe/Berlin',
        '  parameters: Epochs=3',
      ]),
    );
    expect((await run(env, 'pause', 'churn-weekdays')).stdout).toEqual([
      'paused schedule churn-weekdays',
    ]);
    expect((await run(env, 'list', 'churn-train')).stdout).toEqual([
      'churn-weekdays  schedule  disabled  churn-train',
    ]);
    // A delete asks first: without --yes nothing goes, and a script learns it from the exit code.
    expect(await run(env, 'delete', 'churn-weekdays')).toMatchObject({
      code: 2,
      stdout: [],
      stderr: [
        'pipeline-schedule: delete the schedule churn-weekdays? It starts churn-train at 08:00, Monday through Friday, Europe/Berlin, and deleting it cannot be undone.',
        'nothing was deleted: type delete churn-weekdays --yes to delete it',
      ],
    });
    expect((await run(env, 'delete', 'churn-weekdays', '--yes')).stdout).toEqual([
      'deleted schedule churn-weekdays',
    ]);
    expect(await run(env, 'describe', 'churn-weekdays')).toMatchObject({
      code: 2,
      stderr: ['pipeline-schedule: no schedule or rule named churn-weekdays'],
    });
  });

  it('sets the retry policy and dead-letter queue, within the limits Scheduler allows', async () => {
    const env = await fresh();
    expect(
      await run(env, 'create', 'churn-train', 'rate(1 day)', 'name=r', 'max-age=30'),
    ).toMatchObject({
      code: 2,
      stderr: ['pipeline-schedule: retry: the maximum event age is 60-86400 seconds'],
    });
    const created = await run(
      env,
      'create',
      'churn-train',
      'rate(1 day)',
      'name=r',
      'retries=5',
      'max-age=600',
      'dlq=arn:aws:sqs:eu-west-1:123456789012:pipeline-dlq',
    );
    expect(created.code).toBe(0);
    expect((await run(env, 'describe', 'r')).stdout).toContain(
      '  retries: up to 5 within 600 s, then arn:aws:sqs:eu-west-1:123456789012:pipeline-dlq',
    );
  });

  it('joins an unquoted cron, and shows a dry run without creating anything', async () => {
    const env = await fresh();
    const dry = await run(
      env,
      'create',
      'churn-train',
      'cron(0',
      '8',
      '*',
      '*',
      '?',
      '*)',
      'name=x',
      '--dry-run',
    );
    expect(dry.code).toBe(0);
    expect(dry.stdout[0]).toBe('dry run: nothing was changed. These requests would be sent:');
    expect(dry.stdout).toContain('CreateSchedule');
    expect((await run(env, 'list')).stdout).toEqual([
      'no triggers yet: create one with create <pipeline> <expression>',
    ]);
  });

  it('explains a mistake and exits 2', async () => {
    const env = await fresh();
    expect(await run(env, 'create', 'churn-train', 'cron(0 8 ? * 8 *)')).toMatchObject({
      code: 2,
      stderr: ['pipeline-schedule: day-of-week: 8 is out of range 1-7 (1 = Sunday)'],
    });
    expect(await run(env, 'create', 'ingest-daily', 'rate(1 hour)')).toMatchObject({
      code: 2,
      stderr: [expect.stringMatching(/InputDataUri \(String\) has no default in ingest-daily/)],
    });
    const unknown = await run(env, 'frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr[0]).toBe('pipeline-schedule: unknown command "frobnicate"');
    expect(await run(env, 'list', 'a', 'b')).toMatchObject({
      code: 2,
      stderr: [
        expect.stringMatching(/list takes at most one pipeline/),
        expect.anything(),
        expect.anything(),
      ],
    });
    expect(await run({ ...env, BACKEND: 'gcp' }, 'list')).toMatchObject({
      code: 2,
      stderr: [expect.stringMatching(/BACKEND: expected "local" or "aws"/)],
    });
  });

  it('answers test-pattern with true or false, and names what is wrong with a pattern', async () => {
    const event = JSON.stringify({
      id: '1',
      account: '1',
      source: 'aws.s3',
      time: '2026-01-01T00:00:00Z',
      region: 'x',
      resources: [],
      'detail-type': 'Object Created',
      detail: { key: 'daily/a.csv' },
    });
    expect(
      await run(
        {},
        'test-pattern',
        '{"source":["aws.s3"],"detail":{"key":[{"prefix":"daily/"}]}}',
        event,
      ),
    ).toMatchObject({ code: 0, stdout: ['true'] });
    expect(await run({}, 'test-pattern', '{"source":["aws.sqs"]}', event)).toMatchObject({
      code: 0,
      stdout: ['false'],
    });
    const bad = await run({}, 'test-pattern', '{"source":"aws.s3"}', event);
    expect(bad.code).toBe(2);
    expect(bad.stderr[0]).toMatch(/^pipeline-schedule: source: /);
  });

  it('runs the examples its own help gives for put-event and test-pattern', async () => {
    for (const name of ['test-pattern', 'put-event'] as const) {
      const [, ...argv] = (usages[name]?.example ?? '').split(' ');
      const result = await run(await fresh(), name, ...argv);
      expect(result, usages[name]?.example).toMatchObject({ code: 0, stderr: [] });
      if (name === 'test-pattern') expect(result.stdout).toEqual(['true']);
    }
  });

  it('publishes an event that starts the pipelines of a matching rule, with values from the event', async () => {
    const env = await fresh();
    const rule = await run(
      env,
      'on-event',
      'ingest-daily',
      '{"source":["aws.s3"],"detail":{"object":{"key":[{"prefix":"daily/"}]}}}',
      'name=ingest-on-upload',
      'param:InputDataUri=$.detail.object.key',
    );
    expect(rule.code).toBe(0);
    const published = await run(
      env,
      'put-event',
      '{"source":"aws.s3","detail-type":"Object Created","detail":{"object":{"key":"daily/2026-11-29.csv"}}}',
    );
    expect(published.stdout[0]).toMatch(
      /^published event [0-9a-f-]{36} \(aws\.s3, Object Created\)$/,
    );
    const history = await run(env, 'history', 'ingest-daily');
    expect(history.stdout).toHaveLength(1);
    expect(history.stdout[0]).toMatch(/Executing/);
  });

  it('runs a pipeline now and lists it in the history', async () => {
    const env = await fresh();
    const started = await run(env, 'run', 'churn-train', 'param:Epochs=3');
    expect(started.stdout[0]).toMatch(
      /^started churn-train: arn:aws:sagemaker:local-1:000000000000:pipeline\/churn-train\/execution\/[0-9a-f]{12}$/,
    );
    expect((await run(env, 'history', 'churn-train')).stdout).toHaveLength(1);
    expect(await run(env, 'run', 'churn-train', 'param:Epochs=many')).toMatchObject({
      code: 2,
      stderr: ['pipeline-schedule: Epochs is an Integer; "many" is not a whole number'],
    });
  });
});

describe('subscriptions', () => {
  it('post a pipeline in a channel, failures only if asked, and stop again', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const env = { DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'subs-')), 'bot.db')}` };
    const run = async (...argv: string[]) => {
      const stdout: string[] = [];
      const stderr: string[] = [];
      const code = await runCli(argv, {
        stdout: (l) => stdout.push(l),
        stderr: (l) => stderr.push(l),
        now: () => now,
        env,
      });
      return { code, stdout, stderr };
    };
    expect((await run('subscribe', 'churn-train', '#C0ALERTS', 'failures-only')).stdout).toEqual([
      "churn-train's failed executions will be posted in C0ALERTS",
    ]);
    expect((await run('subscribe', 'churn-train')).stderr[0]).toMatch(/name the channel/);
    expect((await run('subscribe', 'no-such-pipeline', 'C0ALERTS')).stderr[0]).toMatch(
      /pipeline no-such-pipeline does not exist/,
    );
    expect((await run('subscribe', 'churn-train', 'general')).stderr[0]).toMatch(
      /"general" is not a channel/,
    );
    expect((await run('unsubscribe', 'churn-train', 'C0ALERTS')).stdout).toEqual([
      "churn-train's executions will no longer be posted in C0ALERTS",
    ]);
    expect((await run('unsubscribe', 'churn-train', 'C0ALERTS')).stdout).toEqual([
      'C0ALERTS was not subscribed to churn-train',
    ]);
  });
});

describe('@file arguments at the command line', () => {
  const event =
    '{"id":"1","source":"aws.s3","detail-type":"x","account":"1","region":"r","time":"2026-01-01T00:00:00Z","resources":[],"detail":{}}';

  it('read a regular file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-files-'));
    writeFileSync(join(dir, 'event.json'), event);
    const r = await cli('test-pattern', '{"source":["aws.s3"]}', `@${join(dir, 'event.json')}`);
    expect(r).toEqual({ code: 0, stdout: ['true'], stderr: [] });
  });

  it('refuse folders, devices, FIFOs and files over the cap, before reading them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-files-'));
    writeFileSync(join(dir, 'big.json'), `{"a":"${'x'.repeat(MAX_ARGUMENT_FILE_BYTES)}"}`);
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const cases: Array<[string, RegExp]> = [
      [dir, /is not a regular file/],
      ['/dev/zero', /is not a regular file/],
      [join(dir, 'pipe'), /is not a regular file/],
      [join(dir, 'big.json'), /is larger than 256 KiB/],
      [join(dir, 'missing.json'), /cannot read .*missing\.json: no such file/],
    ];
    for (const [path, reason] of cases) {
      const r = await cli('test-pattern', '{"source":["aws.s3"]}', `@${path}`);
      expect(r.code, path).toBe(2);
      expect(r.stderr.join('\n'), path).toMatch(reason);
    }
  });

  it('never quote what a file holds when it is not valid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-files-'));
    writeFileSync(join(dir, 'secret.json'), '["AKIAIOSFODNN7EXAMPLE"]');
    writeFileSync(join(dir, 'broken.json'), '{"key": AKIAIOSFODNN7EXAMPLE');
    for (const file of ['secret.json', 'broken.json']) {
      const asPattern = await cli('test-pattern', `@${join(dir, file)}`, event);
      const asEvent = await cli('test-pattern', '{"source":["aws.s3"]}', `@${join(dir, file)}`);
      for (const r of [asPattern, asEvent]) {
        expect(r.code).toBe(2);
        expect(r.stderr.join('\n')).toMatch(/does not hold .*its content is not shown/);
        expect(r.stderr.join('\n')).not.toContain('AKIA');
      }
    }
  });
});
