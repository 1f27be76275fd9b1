import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../src/bot/ids.js';
import { startTerminalChat } from '../src/bot/terminal/terminal-chat.js';
import { runCli } from '../src/cli.js';
import {
  checkEventTrigger,
  checkSchedule,
  readFlexibleWindow,
  readRetrySetting,
} from '../src/scheduling/trigger-rules.js';
import {
  createSubmission,
  formValues,
  type SlackHarness,
  startSlackHarness,
} from './support/slack-harness.js';

/**
 * One set of trigger rules: the same mistake reads the same through the CLI, the terminal's
 * questions and the Slack modal. Each front end is given the mistakes it lets a person make:
 * the terminal asks no flexible window, the modal picks the role from a list, and the CLI's
 * access check answers for a role the policy does not name before any rule is applied.
 */

const WINDOW =
  'window: 2000 minutes is not allowed; the flexible window is 1-1440 minutes (or leave it out for exact times)';
const NAME = `name: "bad name" can't be a name: use 1-64 letters, digits, "-", "_" or "."`;
const BAD_ROLE = 'arn:aws:iam::12345:role/short-account';
const ROLE = `role: "${BAD_ROLE}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`;

const now = new Date('2026-11-29T08:00:00Z');

describe('the trigger rules', () => {
  it('lists every problem with a schedule, each on its field', () => {
    const checked = checkSchedule({
      expression: 'rate(1 day)',
      now,
      name: 'bad name',
      roleArn: BAD_ROLE,
      flexibleWindowMinutes: 2000,
      description: 'x'.repeat(513),
      deadLetterArn: 'arn:aws:sqs:eu-west-1:123:q',
      retryPolicy: { maximumEventAgeSeconds: 30, maximumRetryAttempts: 3 },
    });
    expect(checked).toEqual({
      ok: false,
      problems: [
        { field: 'roleArn', message: ROLE },
        { field: 'description', message: 'description: at most 512 characters' },
        { field: 'name', message: NAME },
        { field: 'flexibleWindowMinutes', message: WINDOW },
        {
          field: 'deadLetterArn',
          message:
            'dead-letter queue: "arn:aws:sqs:eu-west-1:123:q" is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>)',
        },
        { field: 'retryPolicy', message: 'retry: the maximum event age is 60-86400 seconds' },
      ],
    });
  });

  it('names the zone and the expression when they are what is wrong', () => {
    expect(checkSchedule({ expression: 'cron(0 8 ? * 8 *)', now })).toEqual({
      ok: false,
      problems: [
        { field: 'expression', message: 'day-of-week: 8 is out of range 1-7 (1 = Sunday)' },
      ],
    });
    const zone = checkSchedule({ expression: 'rate(1 day)', timeZone: 'Mars/Olympus', now });
    expect(zone.ok ? [] : zone.problems.map((p) => p.field)).toEqual(['timeZone']);
  });

  it('gives the normalised preview of a good schedule', () => {
    const checked = checkSchedule({
      expression: 'cron(0 8 ? * MON-FRI *)',
      timeZone: 'Europe/Berlin',
      now,
      roleArn: 'arn:aws-iso-b:iam::123456789012:role/path/Scheduler',
      flexibleWindowMinutes: 1440,
    });
    expect(checked.ok && checked.value.timeZone).toBe('Europe/Berlin');
  });

  it('checks event triggers: targets, pattern, role', () => {
    const checked = checkEventTrigger({ pipelineCount: 6, eventPattern: '{}', roleArn: BAD_ROLE });
    expect(checked.ok ? [] : checked.problems).toEqual([
      {
        field: 'pipelines',
        message: 'an EventBridge rule starts at most 5 pipelines (one target each); got 6',
      },
      {
        field: 'eventPattern',
        message:
          'event pattern: the pattern is empty: name at least one field to match, like {"source": ["aws.sagemaker"]}',
      },
      { field: 'roleArn', message: ROLE },
    ]);
  });

  it('reads typed numbers before checking their range', () => {
    expect(readFlexibleWindow('soon')).toEqual({
      ok: false,
      problem: {
        field: 'flexibleWindowMinutes',
        message: 'window: "soon" should be a number of minutes (1-1440)',
      },
    });
    expect(readFlexibleWindow('2000')).toEqual({
      ok: false,
      problem: { field: 'flexibleWindowMinutes', message: WINDOW },
    });
    expect(readFlexibleWindow('15')).toEqual({ ok: true, value: 15 });
    expect(readRetrySetting('retries', 'x')).toMatchObject({
      ok: false,
      problem: { message: 'retries: "x" should be a whole number' },
    });
  });
});

describe('the same bad input through each front end', () => {
  it('the CLI says it', async () => {
    const env = {
      DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'rules-cli-')), 'bot.db')}`,
    };
    const say = async (...options: string[]) => {
      const stderr: string[] = [];
      const code = await runCli(['create', 'churn-train', 'rate(1 day)', ...options], {
        stdout: () => {},
        stderr: (l) => stderr.push(l),
        now: () => now,
        env,
      });
      expect(code).toBe(2);
      return stderr;
    };
    expect(await say('window=2000')).toEqual([`pipeline-schedule: ${WINDOW}`]);
    expect(await say('name=bad name')).toEqual([`pipeline-schedule: ${NAME}`]);
  });

  describe('through Slack and the terminal', () => {
    const policy = `
roles:
  ml: { users: [U0ALICE] }
executionRoles:
  dev: arn:aws:iam::123456789012:role/PipelineSchedulerDev
pipelines:
  - match: "*"
    create: [ml]
    delete: [ml]
    pause: [ml]
    run: [ml]
    executionRoles: [dev]
`;
    const pipelines = 'pipelines:\n  - name: dev-churn\n    steps: [{ name: Train, seconds: 1 }]\n';
    let h: SlackHarness;

    beforeAll(async () => {
      h = await startSlackHarness({ policy, pipelines });
    });
    afterAll(async () => {
      await h.close();
    });

    it('the Slack modal says it beside the field', async () => {
      const submitted = await h.interact(
        createSubmission('U0ALICE', {
          ...formValues.selected(ids.create.triggerType, 'rate'),
          ...formValues.selected(ids.create.pipeline, 'dev-churn', 'external_select'),
          ...formValues.typed(ids.create.expression, 'rate(1 day)'),
          ...formValues.typed(ids.create.window, '2000'),
          ...formValues.typed(ids.create.name, 'bad name'),
        }),
      );
      expect(await submitted.json()).toEqual({
        response_action: 'errors',
        errors: { [ids.create.window.block]: WINDOW, [ids.create.name.block]: NAME },
      });
    });

    it("the terminal's questions say it", async () => {
      const input = new PassThrough();
      const output = new PassThrough();
      let buffer = '';
      output.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
      });
      const chat = startTerminalChat({
        input,
        output,
        depsFor: (userId) => h.runtime.commandDeps(userId),
        initialUser: 'U0ALICE',
        onError: (error) => {
          throw error;
        },
      });
      const say = async (line: string): Promise<string[]> => {
        buffer = '';
        input.write(`${line}\n`);
        const deadline = Date.now() + 5000;
        while (!buffer.endsWith('> ')) {
          if (Date.now() > deadline) throw new Error(`no prompt after:\n${buffer}`);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        return buffer.split('\n').slice(0, -1);
      };
      try {
        for (const answer of ['create', 'rate', 'dev-churn', '1 day'])
          expect((await say(answer)).at(-1)).not.toMatch(/^create/);
        expect((await say('')).at(-1)).toMatch(/^Execution role\?/);
        expect((await say(BAD_ROLE))[0]).toBe(ROLE);
        expect((await say('dev')).at(-1)).toMatch(/^Name\?/);
        expect((await say('bad name'))[0]).toBe(NAME);
        await say('cancel');
      } finally {
        chat.close();
      }
    });
  });
});
