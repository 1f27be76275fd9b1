import { describe, expect, it } from 'vitest';
import { renderText } from '../../../src/bot/commands/render-text.js';
import {
  foreignItems,
  listItems,
  NOW,
  orphansOfEachKind,
  PROVENANCES,
  replies,
  scheduledRuleDescription,
  sdkScheduleDescription,
} from '../views/samples.js';

describe('renderText: triggers the bot did not make, in the terminal', () => {
  it('list names each by the ref a command takes, says who made the others and what else a rule starts', () => {
    const { stdout } = renderText({
      kind: 'list',
      items: [...listItems(2), ...foreignItems()],
      more: false,
    });
    expect(stdout).toEqual([
      'trigger-0                  rule               enabled   pipeline-0',
      'trigger-1                  schedule           disabled  pipeline-1',
      'default/churn-train-daily  schedule           enabled   churn-train  made with the SageMaker Python SDK (inferred from its shape)',
      'ml-events/nightly-batch    cron(0 2 * * ? *)  enabled   ingest-daily and 2 other targets  made by CloudFormation stack ml-platform-prod',
      'DataZone-ingest            rule               disabled  ingest-daily  managed by datazone.amazonaws.com',
      'hand-made                  rule               enabled   churn-train and 1 other target  made outside the bot',
    ]);
  });

  it('list of the bot’s own keeps its columns', () => {
    expect(renderText({ kind: 'list', items: listItems(2), more: false }).stdout).toEqual([
      'trigger-0  rule      enabled   pipeline-0',
      'trigger-1  schedule  disabled  pipeline-1',
    ]);
  });

  it('describe says the SDK made a schedule as an inference, and how it starts its pipeline', () => {
    const { stdout } = renderText({
      kind: 'described',
      now: NOW,
      description: sdkScheduleDescription(),
    });
    expect(stdout.slice(0, 2)).toEqual([
      'default/churn-train-daily: schedule in group default, enabled',
      '  made with the SageMaker Python SDK (inferred from its shape: default group, UTC, no flexible window, retry policy, dead-letter queue, description or parameters)',
    ]);
    expect(stdout).toContain(
      "  pipeline: churn-train (started through Scheduler's universal target)",
    );
  });

  it('describe shows a rule on a schedule with its meaning and next runs in UTC, and the targets it leaves alone', () => {
    // Read in New York: each run in UTC (the rule's zone), then the reader's time.
    const { stdout } = renderText(
      { kind: 'described', now: NOW, description: scheduledRuleDescription() },
      { timeZone: 'America/New_York', now: NOW },
    );
    expect(stdout).toEqual([
      'ml-events/nightly-batch: EventBridge rule on event bus ml-events, enabled',
      '  made by CloudFormation stack ml-platform-prod',
      '  schedule: cron(0 2 * * ? *) — at 02:00, every day, UTC (rules run in UTC)',
      '  next runs (UTC):',
      '    Tue 2026-03-03 02:00 UTC, in 19 h (Mon 2026-03-02 21:00 America/New_York for you)',
      // "tomorrow" and the days count on the reader's calendar: 21:00 on 3 March in New York.
      '    Wed 2026-03-04 02:00 UTC, tomorrow (Tue 2026-03-03 21:00 America/New_York for you)',
      '    Thu 2026-03-05 02:00 UTC, in 2 days (Wed 2026-03-04 21:00 America/New_York for you)',
      '    Fri 2026-03-06 02:00 UTC, in 3 days (Thu 2026-03-05 21:00 America/New_York for you)',
      '    Sat 2026-03-07 02:00 UTC, in 4 days (Fri 2026-03-06 21:00 America/New_York for you)',
      '  starts ingest-daily',
      '    parameters: InputDataUri=$.detail.object.key',
      '  and 2 other targets (not pipelines, left alone)',
      '  role: arn:aws:iam::123456789012:role/PipelineSchedulerExecutionRoleForProduction',
      '  recent runs:',
      '    the 02:00 UTC run of 29 Nov: started (execution 0f3a9c2b7d1e)',
      '  arn: arn:aws:events:eu-west-1:123456789012:rule/ml-events/nightly-batch',
    ]);
  });

  it('describe of a paused rule on a schedule says it will not run', () => {
    const paused = scheduledRuleDescription();
    const { stdout } = renderText({
      kind: 'described',
      now: NOW,
      description: {
        ...paused,
        provenance: PROVENANCES.service,
        trigger: { ...paused.trigger, state: 'DISABLED' },
        schedule: { description: 'at 02:00, every day, UTC', nextRuns: [] },
      },
    });
    expect(stdout).toContain('  managed by datazone.amazonaws.com');
    expect(stdout).toContain('  next runs: none while it is paused');
  });

  it('describe says who asked for one the bot made, who approved it, the request and the channel', () => {
    expect(renderText(replies().described[0]!).stdout[1]).toBe(
      '  made here by U0ALICE (approved by U0LEAD1, request req-3f2a9c, in C0MLOPS) on 2026-03-02T07:30:00Z',
    );
    expect(renderText(replies().described[1]!).stdout[1]).toBe('  made outside the bot');
  });

  it('orphans say where each is, who made it and exactly what clean-up does', () => {
    expect(renderText({ kind: 'orphans', orphans: orphansOfEachKind(), cleaned: false })).toEqual({
      stdout: [
        'triggers whose pipeline no longer exists (orphans), and what orphans clean does to each:',
        '  default/churn-train-daily (schedule in group default, made with the SageMaker Python SDK (inferred from its shape)): pipeline churn-train is gone; clean-up deletes schedule default/churn-train-daily',
        '  on-upload (rule on event bus default, made by CloudFormation stack ml-platform-prod): clean-up removes target ingest-daily (pipeline ingest-daily is gone) and keeps the rule with its 2 other targets',
        '  ml-events/hand-made (rule on event bus ml-events, made outside the bot): clean-up removes target ingest-daily (pipeline ingest-daily is gone) and keeps the empty rule: it was made outside the bot; orphans clean delete-rule ml-events/hand-made deletes it',
        '  ingest-on-upload (rule on event bus default, made here by U0ALICE): pipeline ingest-daily is gone; clean-up deletes rule ingest-on-upload (nothing would be left in it)',
      ],
      stderr: [],
      exitCode: 0,
    });
  });

  it('after a clean-up, says what was removed in the same terms', () => {
    expect(
      renderText({ kind: 'orphans', orphans: orphansOfEachKind(), cleaned: true }).stdout,
    ).toEqual([
      'cleaned up:',
      '  default/churn-train-daily (schedule in group default, made with the SageMaker Python SDK (inferred from its shape)): pipeline churn-train is gone; clean-up deleted schedule default/churn-train-daily',
      '  on-upload (rule on event bus default, made by CloudFormation stack ml-platform-prod): clean-up removed target ingest-daily (pipeline ingest-daily is gone) and kept the rule with its 2 other targets',
      '  ml-events/hand-made (rule on event bus ml-events, made outside the bot): clean-up removed target ingest-daily (pipeline ingest-daily is gone) and kept the empty rule: it was made outside the bot; orphans clean delete-rule ml-events/hand-made deletes it',
      '  ingest-on-upload (rule on event bus default, made here by U0ALICE): pipeline ingest-daily is gone; clean-up deleted rule ingest-on-upload (nothing was left in it)',
    ]);
  });

  it('a rule forced whole by delete-rule says its other targets go with it', () => {
    const [, keeping] = orphansOfEachKind();
    const { stdout } = renderText({
      kind: 'orphans',
      orphans: [{ ...keeping!, cleanUp: 'delete-rule' }],
      cleaned: false,
    });
    expect(stdout[1]).toContain('clean-up deletes rule on-upload with its 2 other targets');
  });
});

describe('renderText: adopting a schedule made elsewhere', () => {
  it('says what it was, what it is now, and that the original is gone', () => {
    const [sdk] = foreignItems();
    const { stdout } = renderText({
      kind: 'adopted',
      from: sdk!,
      schedule: { ...sdkScheduleDescription().trigger, group: 'pipeline-schedule' },
    });
    expect(stdout).toEqual([
      'adopted default/churn-train-daily as pipeline-schedule/churn-train-daily: it is now made here, and the original is deleted',
    ]);
  });
});
