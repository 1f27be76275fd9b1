import type { ActionsBlock, Button, KnownBlock } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { ids } from '../../../src/bot/ids.js';
import { blockKitProblems } from '../../../src/bot/views/limits.js';
import { replyBlocks } from '../../../src/bot/views/reply-blocks.js';
import {
  foreignItems,
  LONG,
  listItems,
  orphansOfEachKind,
  PROVENANCES,
  preview,
  replies,
  request,
  schedule,
  scheduledRuleDescription,
  sdkScheduleDescription,
} from './samples.js';

const buttons = (blocks: KnownBlock[]): Button[] =>
  blocks
    .filter((b): b is ActionsBlock => b.type === 'actions')
    .flatMap((b) => b.elements.filter((e): e is Button => e.type === 'button'));

const allText = (blocks: KnownBlock[]) => JSON.stringify(blocks);

describe('replyBlocks', () => {
  const all = Object.entries(replies()).flatMap(([kind, list]) =>
    list.map((reply, i) => [`${kind} #${i}`, reply] as const),
  );

  it.each(all)('%s renders within Block Kit limits', (_, reply) => {
    for (const userTimeZone of [undefined, 'America/New_York']) {
      const message = replyBlocks(reply, userTimeZone ? { userTimeZone } : {});
      expect(message.text.length).toBeGreaterThan(0);
      expect(message.blocks.length).toBeGreaterThan(0);
      expect(blockKitProblems('message', message)).toEqual([]);
    }
  });

  it('covers every Reply kind', () => {
    const kinds = Object.keys(replies()).sort();
    // The samples are typed Record<Reply['kind'], …>: adding a kind fails to compile there.
    expect(kinds).toHaveLength(27);
  });

  it('a created schedule shows what it runs, and offers pause, run now and delete', () => {
    const p = preview();
    const { text, blocks } = replyBlocks({
      kind: 'schedule-created',
      schedule: schedule(),
      preview: p,
    });
    expect(text).toBe(`created schedule churn-weekdays (enabled): churn-train ${p.description}`);
    const json = allText(blocks);
    expect(json).toContain('churn-train');
    expect(json).toContain('cron(0 8 ? * MON-FRI *)');
    expect(json).toContain('InstanceType=ml.m5.xlarge');
    expect(json).toContain('PipelineSchedulerExecutionRoleForProduction');
    // Five runs, each in the schedule's zone and as a Slack date token (the reader's zone).
    expect(json.match(/<!date\^\d{10}\^\{date_short_pretty\} \{time\}\|/g)).toHaveLength(5);
    expect(json).toContain('Tue 2026-03-03 08:00 Europe/Berlin · <!date^1772521200^');
    const b = buttons(blocks);
    expect(b.map((x) => [x.action_id, x.value])).toEqual([
      [ids.actions.pause, 'churn-weekdays'],
      [ids.actions.runNow, 'churn-weekdays'],
      [ids.actions.delete, 'churn-weekdays'],
    ]);
    expect(b[2]?.confirm?.text.text).toContain('churn-weekdays');
    expect(blocks).toMatchSnapshot();
  });

  it('the date token falls back to the reader’s zone when known', () => {
    const { blocks } = replyBlocks(
      { kind: 'preview', preview: preview(), runsOnly: true },
      { userTimeZone: 'America/New_York' },
    );
    // 07:00 UTC is 02:00 in New York, and 03:00 once its DST starts (8 March).
    expect(allText(blocks)).toContain('|Tue 2026-03-03 02:00 America/New_York>');
    expect(allText(blocks)).toContain('|Mon 2026-03-09 03:00 America/New_York>');
  });

  it('paused triggers offer Resume; rules get no Run now', () => {
    const [paused] = listItems(2).slice(1);
    const rule = listItems(1)[0]!;
    expect(rule.kind).toBe('event');
    const names = (item: typeof rule) =>
      buttons(replyBlocks({ kind: 'list', items: [item], more: false }).blocks).map(
        (b) => b.action_id,
      );
    expect(names(paused!)).toEqual([
      ids.actions.describe,
      ids.actions.resume,
      ids.actions.runNow,
      ids.actions.delete,
    ]);
    expect(names(rule)).toEqual([ids.actions.describe, ids.actions.pause, ids.actions.delete]);
  });

  it('a long list keeps buttons for the first rows and lists the rest as text', () => {
    const { blocks } = replyBlocks({ kind: 'list', items: listItems(50), more: true });
    expect(blocks.length).toBeLessThanOrEqual(50);
    const json = allText(blocks);
    expect(json).toContain('trigger-49');
    expect(json).toContain('narrow it with');
    // Block ids stay unique although every row has the same action ids.
    const blockIds = blocks.map((b) => b.block_id).filter(Boolean);
    expect(new Set(blockIds).size).toBe(blockIds.length);
  });

  it('button values carry only ids', () => {
    for (const [, list] of Object.entries(replies()))
      for (const reply of list)
        for (const b of buttons(replyBlocks(reply).blocks)) {
          expect(b.value ?? '').not.toMatch(/arn:|role|admin/i);
          expect((b.value ?? '').length).toBeLessThanOrEqual(256);
        }
  });

  it('orphans offer Clean up with a confirm; once cleaned, no button', () => {
    const [, , many, cleaned] = replies().orphans;
    const clean = buttons(replyBlocks(many!).blocks);
    expect(clean.map((b) => b.action_id)).toEqual([ids.actions.cleanUpOrphans]);
    expect(clean[0]?.confirm?.text.text).toContain('Delete 120 schedules');
    expect(buttons(replyBlocks(cleaned!).blocks)).toEqual([]);
  });

  it('history offers Run now for the pipeline', () => {
    const b = buttons(
      replyBlocks({ kind: 'history', pipeline: 'churn-train', executions: [] }).blocks,
    );
    expect(b.map((x) => [x.action_id, x.value])).toEqual([
      [ids.actions.runPipeline, 'churn-train'],
    ]);
  });

  it('approval-requested says who must approve and where', () => {
    const { text, blocks } = replyBlocks({
      kind: 'approval-requested',
      request: request(),
      approvalChannel: 'C0APPROVALS',
    });
    expect(text).toBe('request req-3f2a9c needs 2 approvals from *approvers* or *admins*');
    const json = allText(blocks);
    expect(json).toContain('2 approvals from *approvers* or *admins*');
    expect(json).toContain('<#C0APPROVALS>');
    expect(json).toContain('/pipeline-schedule cancel req-3f2a9c');
  });

  it('errors are short, plain and escaped', () => {
    const { text, blocks } = replyBlocks({
      kind: 'error',
      message: 'no pipeline <churn> & co',
      exitCode: 1,
    });
    expect(text).toBe('no pipeline &lt;churn&gt; &amp; co');
    expect(blocks).toEqual([
      {
        type: 'section',
        text: { type: 'mrkdwn', text: ':warning: no pipeline &lt;churn&gt; &amp; co' },
      },
    ]);
  });

  it('help lists every command with an example', () => {
    const json = allText(replyBlocks({ kind: 'help' }).blocks);
    for (const name of ['create', 'on-event', 'list', 'describe', 'approve', 'audit'])
      expect(json).toContain(`*${name}*`);
    expect(json).toContain('/pipeline-schedule list churn-train');
  });

  it('a 256-character name is clipped, not rejected', () => {
    const { blocks } = replyBlocks(replies().described[1]!);
    const head = blocks[0];
    expect(head?.type).toBe('header');
    expect(head?.type === 'header' && head.text.text.length).toBe(150);
    expect(allText(blocks)).toContain(LONG.slice(0, 100));
  });

  describe('triggers the bot did not make', () => {
    const texts = (blocks: KnownBlock[]) =>
      blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));

    it('the list names each by the ref a command takes, says who made it and what else it starts', () => {
      const { blocks } = replyBlocks({
        kind: 'list',
        items: [...listItems(1), ...foreignItems()],
        more: false,
      });
      expect(texts(blocks)).toEqual(
        expect.arrayContaining([
          '*trigger-0*  rule · enabled · pipeline-0 · made here by <@U0ALICE>',
          '*default/churn-train-daily*  schedule · enabled · churn-train · made with the SageMaker Python SDK (inferred from its shape)',
          '*ml-events/nightly-batch*  `cron(0 2 * * ? *)` · enabled · ingest-daily and 2 other targets · made by CloudFormation stack `ml-platform-prod`',
          '*DataZone-ingest*  rule · paused · ingest-daily · managed by `datazone.amazonaws.com`',
          '*hand-made*  rule · enabled · churn-train and 1 other target · made outside the bot',
        ]),
      );
      const values = buttons(blocks).map((b) => b.value);
      expect(values).toContain('default/churn-train-daily');
      expect(values).not.toContain('churn-train-daily');
    });

    it('describe says the SDK made a schedule as an inference, with the reasons', () => {
      const { text, blocks } = replyBlocks({
        kind: 'described',
        now: new Date(),
        description: sdkScheduleDescription(),
      });
      expect(text).toBe(
        'default/churn-train-daily: schedule, enabled, made with the SageMaker Python SDK (inferred from its shape): every day',
      );
      const json = allText(blocks);
      expect(json).toContain('Schedule in group `default`, *enabled*');
      expect(json).toContain(
        'Made with the SageMaker Python SDK (inferred from its shape: default group, UTC, no flexible window, retry policy, dead-letter queue, description or parameters)',
      );
      expect(json).toContain("churn-train\\nstarted through Scheduler's universal target");
      // Pause, Run now, Delete, Edit and Adopt act on the schedule in `default`, not on one of the bot's.
      expect(buttons(blocks).map((b) => [b.action_id, b.value])).toEqual([
        [ids.actions.pause, 'default/churn-train-daily'],
        [ids.actions.runNow, 'default/churn-train-daily'],
        [ids.actions.delete, 'default/churn-train-daily'],
        [ids.actions.edit, 'default/churn-train-daily'],
        [ids.actions.adopt, 'default/churn-train-daily'],
      ]);
      const adopt = buttons(blocks).find((b) => b.action_id === ids.actions.adopt);
      expect(adopt?.confirm?.text.text).toContain('then delete default/churn-train-daily');
    });

    it('only a schedule made elsewhere offers Adopt; the bot’s own and rules do not', () => {
      const rule = {
        kind: 'described' as const,
        now: new Date(),
        description: scheduledRuleDescription(),
      };
      for (const reply of [replies().described[0]!, rule]) {
        const actionIds = buttons(replyBlocks(reply).blocks).map((b) => b.action_id);
        expect(actionIds).not.toContain(ids.actions.adopt);
      }
    });

    it('describe shows a rule on a schedule: its expression, meaning and next runs in UTC, and the targets it leaves alone', () => {
      const { blocks } = replyBlocks({
        kind: 'described',
        now: new Date(),
        description: scheduledRuleDescription(),
      });
      const lines = texts(blocks);
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringContaining('EventBridge rule on event bus `ml-events`, *enabled*'),
          "*Schedule* `cron(0 2 * * ? *)` — at 02:00, every day, UTC\n_EventBridge runs a rule's schedule in UTC._",
          // Each run in the rule's zone (UTC), then Slack's token in the reader's own.
          expect.stringMatching(
            /^\*Next runs\*\n• Tue 2026-03-03 02:00 UTC · <!date\^1772503200\^/,
          ),
          expect.stringContaining('• and 2 other targets (not pipelines, left alone)'),
          'Made by CloudFormation stack `ml-platform-prod`',
        ]),
      );
      expect(lines.some((l) => l.startsWith('*Pattern*'))).toBe(false);
      expect(buttons(blocks).map((b) => b.value)).toEqual([
        'ml-events/nightly-batch',
        'ml-events/nightly-batch',
      ]);
    });

    it('describe says who asked for one the bot made, who approved it, the request and the channel', () => {
      const { blocks } = replyBlocks(replies().described[0]!);
      expect(texts(blocks)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^Made here by <@U0ALICE> \(approved by <@U0LEAD1>, request `req-3f2a9c`, in <#C0MLOPS>\) on `2026-03-02T07:30:00Z`/,
          ),
        ]),
      );
    });

    it('describe names the service that manages a rule, and one made by hand', () => {
      const managed = replyBlocks({
        kind: 'described',
        now: new Date(),
        description: { ...scheduledRuleDescription(), provenance: PROVENANCES.service },
      });
      expect(texts(managed.blocks)).toContain('Managed by `datazone.amazonaws.com`');
      const elsewhere = replyBlocks(replies().described[1]!);
      expect(texts(elsewhere.blocks)).toContain('Made outside the bot');
    });

    it('orphans say where each is, who made it and exactly what clean-up does', () => {
      const { blocks } = replyBlocks({
        kind: 'orphans',
        orphans: orphansOfEachKind(),
        cleaned: false,
      });
      expect(texts(blocks)[1]?.split('\n')).toEqual([
        '• *default/churn-train-daily* (schedule in group `default`, made with the SageMaker Python SDK (inferred from its shape)): pipeline churn-train is gone; clean-up deletes schedule `default/churn-train-daily`',
        '• *on-upload* (rule on event bus `default`, made by CloudFormation stack `ml-platform-prod`): clean-up removes target `ingest-daily` (pipeline ingest-daily is gone) and keeps the rule with its 2 other targets',
        '• *ml-events/hand-made* (rule on event bus `ml-events`, made outside the bot): clean-up removes target `ingest-daily` (pipeline ingest-daily is gone) and keeps the empty rule: it was made outside the bot; `/pipeline-schedule orphans clean delete-rule ml-events/hand-made` deletes it',
        '• *ingest-on-upload* (rule on event bus `default`, made here by <@U0ALICE>): pipeline ingest-daily is gone; clean-up deletes rule `ingest-on-upload` (nothing would be left in it)',
      ]);
    });

    it('the Clean up confirm says what it deletes and what it only takes out of a rule', () => {
      const { blocks } = replyBlocks({
        kind: 'orphans',
        orphans: orphansOfEachKind(),
        cleaned: false,
      });
      expect(buttons(blocks)[0]?.confirm?.text.text).toBe(
        'Delete 1 schedule, delete 1 rule and remove 2 dead targets from 2 rules (their other targets stay), whose pipeline no longer exists? This cannot be undone.',
      );
    });

    it('after a clean-up, says what was removed in the same terms', () => {
      const { text, blocks } = replyBlocks({
        kind: 'orphans',
        orphans: orphansOfEachKind(),
        cleaned: true,
      });
      expect(text).toBe('cleaned up 4 orphaned triggers');
      const json = allText(blocks);
      expect(json).toContain('clean-up deleted schedule `default/churn-train-daily`');
      expect(json).toContain(
        'clean-up removed target `ingest-daily` (pipeline ingest-daily is gone) and kept the rule with its 2 other targets',
      );
      expect(json).toContain('and kept the empty rule: it was made outside the bot;');
      expect(json).toContain('clean-up deleted rule `ingest-on-upload` (nothing was left in it)');
      expect(buttons(blocks)).toEqual([]);
    });
  });
});

describe('next runs in a reply read as it arrives', () => {
  it('say how soon each run is, leaving today and tomorrow to Slack’s own date token', async () => {
    const { previewSchedule } = await import('../../../src/scheduling/expression/index.js');
    const now = new Date('2026-12-03T07:56:00Z');
    const found = previewSchedule({ expression: 'cron(0 8 * * ? *)', now, count: 3 });
    if (!found.ok) throw new Error(found.error.message);
    const reply = { kind: 'preview' as const, preview: found.preview, runsOnly: false };
    const read = allText(replyBlocks(reply, { userTimeZone: 'Europe/Berlin', now }).blocks);
    expect(read).toContain(
      'Thu 2026-12-03 08:00 UTC · <!date^1796284800^{date_short_pretty} {time}|Thu 2026-12-03 09:00 Europe/Berlin> · in 4 min',
    );
    // The next day's run: Slack's token already says "tomorrow".
    expect(read).toMatch(/\|Fri 2026-12-04 09:00 Europe\/Berlin>\\n/);
    expect(read).toContain('Sat 2026-12-05 09:00 Europe/Berlin> · in 2 days');
    // Without the moment (a message that stays), no phrase that would go stale.
    expect(allText(replyBlocks(reply, { userTimeZone: 'Europe/Berlin' }).blocks)).not.toContain(
      'in 4 min',
    );
  });
});
