import type { ActionsBlock, Button, KnownBlock } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { ids } from '../../../src/bot/ids.js';
import { homeView } from '../../../src/bot/views/home.js';
import { blockKitProblems } from '../../../src/bot/views/limits.js';
import { LONG, listItems, NOW, request } from './samples.js';

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
      orphans: Array.from({ length: 200 }, (_, i) => ({
        kind: 'schedule' as const,
        name: `orphan-${i}`,
        arn: `arn:${i}`,
        missingPipelines: [LONG],
      })),
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

  it('offers the same buttons as the messages; none on one’s own request', () => {
    const view = homeView({
      ...empty,
      myTriggers: listItems(1),
      pendingApprovals: [
        { request: request({ id: 'req-theirs' }), approvals: 0 },
        { request: request({ id: 'req-mine', requestedBy: 'U0BOB' }), approvals: 0 },
      ],
      orphans: [{ kind: 'event', name: 'old', arn: 'arn:x', missingPipelines: ['gone'] }],
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
});
