import type { ActionsBlock, Button, KnownBlock } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { ids } from '../../../src/bot/ids.js';
import { homeView } from '../../../src/bot/views/home.js';
import { blockKitProblems } from '../../../src/bot/views/limits.js';
import {
  foreignItems,
  LONG,
  listItems,
  NOW,
  orphan,
  orphansOfEachKind,
  request,
} from './samples.js';

const buttons = (blocks: readonly KnownBlock[]): Button[] =>
  blocks
    .filter((b): b is ActionsBlock => b.type === 'actions')
    .flatMap((b) => b.elements.filter((e): e is Button => e.type === 'button'));

const empty = { userId: 'U0BOB', myTriggers: [], pendingApprovals: [], dueSoon: [] };

describe('homeView', () => {
  it('words empty states for people', () => {
    const view = homeView(empty);
    expect(view.type).toBe('home');
    expect(blockKitProblems('home', { blocks: view.blocks as KnownBlock[] })).toEqual([]);
    const json = JSON.stringify(view.blocks);
    expect(json).toContain('Nothing is waiting for a decision.');
    expect(json).toContain('You have no triggers yet.');
    expect(json).toContain('Nothing is due to run soon.');
    expect(json).not.toContain('Orphaned');
    expect(buttons(view.blocks as KnownBlock[]).map((b) => b.action_id)).toEqual([
      ids.actions.openCreate,
    ]);
  });

  it('stays within 100 blocks with many items, and says how many more', () => {
    const view = homeView({
      userId: 'U0BOB',
      myTriggers: listItems(300, (i) => `${LONG.slice(0, 60)}${i}`),
      pendingApprovals: Array.from({ length: 60 }, (_, i) => ({
        request: request({ id: `req-${i}`, triggerName: LONG, pipelineNames: [LONG, LONG] }),
        approvals: 1,
      })),
      dueSoon: Array.from({ length: 500 }, (_, i) => ({
        name: `due-${i}`,
        pipelineName: LONG,
        at: new Date(NOW.getTime() + i * 60_000),
      })),
      orphans: Array.from({ length: 200 }, (_, i) =>
        orphan({
          name: `orphan-${i}`,
          ref: `orphan-${i}`,
          arn: `arn:${i}`,
          missingPipelines: [LONG],
        }),
      ),
    });
    const blocks = view.blocks as KnownBlock[];
    expect(blocks.length).toBeLessThanOrEqual(100);
    expect(blockKitProblems('home', { blocks })).toEqual([]);
    const json = JSON.stringify(blocks);
    expect(json).toContain('…and 50 more');
    expect(json).toContain('Your triggers (300)');
    expect(json).toContain('Orphaned triggers (200)');
    const ids_ = blocks.map((b) => b.block_id).filter(Boolean);
    expect(new Set(ids_).size).toBe(ids_.length);
  });

  it("shows each of one's schedules with its last runs, a missed one marked", () => {
    const [item] = listItems(1);
    const tick = (day: number, outcome: 'started' | 'missed') => ({
      triggerKey: `sagemaker-pipelines/${item?.name}`,
      ref: item?.ref ?? '',
      pipelineName: 'churn-train',
      occurrence: new Date(Date.UTC(2026, 11, day, 7)),
      timeZone: 'Europe/Berlin',
      outcome,
      recordedAt: NOW,
      updatedAt: NOW,
    });
    const view = homeView({
      ...empty,
      myTriggers: item ? [item] : [],
      recentRuns: { [item?.ref ?? '']: [tick(3, 'missed'), tick(2, 'started')] },
    });
    expect(JSON.stringify(view.blocks)).toContain(
      '_Last runs:_ :warning: 08:00 3 Dec missed · 08:00 2 Dec started',
    );
  });

  it('offers the same buttons as the messages; none on one’s own request', () => {
    const view = homeView({
      ...empty,
      myTriggers: listItems(1),
      pendingApprovals: [
        { request: request({ id: 'req-theirs' }), approvals: 0 },
        { request: request({ id: 'req-mine', requestedBy: 'U0BOB' }), approvals: 0 },
      ],
      orphans: [orphan({ kind: 'event', name: 'old', ref: 'old', cleanUp: 'delete-rule' })],
    });
    const b = buttons(view.blocks as KnownBlock[]);
    expect(b.map((x) => [x.action_id, x.value])).toEqual([
      [ids.actions.openCreate, undefined],
      [ids.actions.approve, `req-theirs|${'a'.repeat(64)}`],
      [ids.actions.reject, `req-theirs|${'a'.repeat(64)}`],
      [ids.actions.describe, 'trigger-0'],
      [ids.actions.pause, 'trigger-0'],
      [ids.actions.delete, 'trigger-0'],
      [ids.actions.cleanUpOrphans, 'all'],
    ]);
    expect(JSON.stringify(view.blocks)).toContain('You asked for this; someone else decides.');
  });

  it('names each trigger so a command finds it, and says who made it', () => {
    const view = homeView({ ...empty, myTriggers: [...listItems(1), ...foreignItems()] });
    const json = JSON.stringify(view.blocks);
    expect(json).toContain('*trigger-0*  rule · enabled · pipeline-0 · made here by <@U0ALICE>');
    expect(json).toContain(
      '*default/churn-train-daily*  schedule · enabled · churn-train · made with the SageMaker Python SDK (inferred from its shape)',
    );
    expect(json).toContain(
      '*ml-events/nightly-batch*  `cron(0 2 * * ? *)` · enabled · ingest-daily and 2 other targets · made by CloudFormation stack `ml-platform-prod`',
    );
    expect(json).toContain('managed by `datazone.amazonaws.com`');
    expect(json).toContain('made outside the bot');
    // The buttons act on the trigger in its own place, not on a namesake in the bot's.
    const values = buttons(view.blocks as KnownBlock[]).map((b) => b.value);
    expect(values).toContain('default/churn-train-daily');
    expect(values).toContain('ml-events/nightly-batch');
    expect(values).not.toContain('churn-train-daily');
  });

  it('says for each orphan where it is, who made it, what is gone and what clean-up does', () => {
    const view = homeView({ ...empty, orphans: orphansOfEachKind() });
    const json = JSON.stringify(view.blocks);
    expect(json).toContain(
      '*default/churn-train-daily* (schedule in group `default`, made with the SageMaker Python SDK (inferred from its shape)): pipeline churn-train is gone; clean-up deletes schedule `default/churn-train-daily`',
    );
    expect(json).toContain(
      'clean-up removes target `ingest-daily` (pipeline ingest-daily is gone) and keeps the rule with its 2 other targets',
    );
    expect(json).toContain(
      'keeps the empty rule: it was made outside the bot; `/pipeline-schedule orphans clean delete-rule ml-events/hand-made` deletes it',
    );
    expect(json).toContain(
      'clean-up deletes rule `ingest-on-upload` (nothing would be left in it)',
    );
  });
});
