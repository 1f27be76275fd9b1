import { afterEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../src/bot/commands/grammar.js';
import { type RuntimeHarness, startRuntime } from './support/runtime-harness.js';

/** `ticks <trigger> [count]`, typed as in the terminal or the CLI, on the real runtime. */
let h: RuntimeHarness;
afterEach(async () => {
  await h.close();
});

describe('ticks', () => {
  it('lists a schedule’s recent runs newest first: started, started late, missed with the cause', async () => {
    h = await startRuntime({});
    await h.say('create churn-train rate(1 day) name=churn-daily');
    const at = (iso: string) => new Date(iso);
    for (const [occurrence, outcome, extra] of [
      [
        '2026-12-01T06:00:00Z',
        'started',
        { executionArn: 'arn:x:pipeline/churn-train/execution/aaa111' },
      ],
      [
        '2026-12-02T06:00:00Z',
        'late',
        { executionArn: 'arn:x:pipeline/churn-train/execution/bbb222' },
      ],
      [
        '2026-12-03T06:00:00Z',
        'missed',
        { reason: 'Scheduler gave up after 3 retries: AccessDeniedException: denied' },
      ],
    ] as const)
      await h.runtime.store.ticks.insert({
        triggerKey: 'sagemaker-pipelines/churn-daily',
        ref: 'churn-daily',
        pipelineName: 'churn-train',
        occurrence: at(occurrence),
        timeZone: 'UTC',
        outcome,
        ...extra,
        recordedAt: at(occurrence),
        updatedAt: at(occurrence),
      });
    expect(await h.say('ticks churn-daily 2')).toBe(
      [
        'the 06:00 UTC run of 3 Dec: missed — Scheduler gave up after 3 retries: AccessDeniedException: denied',
        'the 06:00 UTC run of 2 Dec: started late, by a retry (execution bbb222)',
      ].join('\n'),
    );
    const zero = parseCommand('ticks churn-daily 0');
    expect(zero.ok ? '' : zero.message).toMatch(
      /the count must be a whole number from 1 to 100, not "0"/,
    );
    expect(await h.say('ticks no-such-schedule')).toMatch(/no-such-schedule/);
  });

  it('shows the runs a paused schedule skipped as one line for the stretch', async () => {
    h = await startRuntime({});
    await h.say("create churn-train 'rate(1 minute)' name=churn-often");
    await h.runtime.store.ticks.insert({
      triggerKey: 'sagemaker-pipelines/churn-often',
      ref: 'churn-often',
      pipelineName: 'churn-train',
      occurrence: new Date('2026-12-01T00:00:00Z'),
      through: new Date('2026-12-01T23:59:00Z'),
      runs: 1440,
      timeZone: 'Europe/Berlin',
      outcome: 'skipped',
      reason: 'the schedule is paused',
      recordedAt: new Date('2026-12-02T00:00:00Z'),
      updatedAt: new Date('2026-12-02T00:00:00Z'),
      told: 'skipped',
    });
    expect(await h.say('ticks churn-often')).toBe(
      '1,440 runs, the 01:00 Europe/Berlin run of 1 Dec through the 00:59 Europe/Berlin run of 2 Dec: skipped — the schedule is paused',
    );
  });
});
