import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../src/bot/commands/replies.js';
import { actionsLine, replyActions } from '../../../src/bot/terminal/reply-actions.js';

/** Only the fields the mapping reads; the rest of each reply does not matter here. */
const reply = (r: unknown) => r as Reply;

describe('replyActions: the commands behind Slack’s buttons', () => {
  it('offers pause or resume, run now with the schedule’s parameters, delete, and update', () => {
    const described = reply({
      kind: 'described',
      now: new Date(),
      description: {
        kind: 'schedule',
        trigger: {
          name: 'nightly',
          state: 'ENABLED',
          pipelineName: 'churn-train',
          parameters: [{ name: 'Note', value: 'two words' }],
        },
      },
    });
    expect(actionsLine(replyActions(described))).toEqual([
      '→ pause nightly | run churn-train param:Note="two words" | delete nightly | update nightly <change>',
    ]);
    const created = reply({
      kind: 'schedule-created',
      schedule: { name: 'nightly', state: 'DISABLED', pipelineName: 'churn-train', parameters: [] },
    });
    expect(replyActions(created)).toEqual(['resume nightly', 'run churn-train', 'delete nightly']);
  });

  it('has no run now on a rule: it runs when its event arrives', () => {
    const rule = reply({
      kind: 'rule-created',
      rule: { name: 'on-upload', state: 'ENABLED', targets: [{ pipelineName: 'ingest' }] },
    });
    expect(replyActions(rule)).toEqual(['pause on-upload', 'delete on-upload']);
  });

  it('offers the way back after a pause or a resume, and nothing after a delete', () => {
    const changed = (action: string) =>
      reply({ kind: 'changed', action, item: { kind: 'schedule', name: 'nightly' } });
    expect(replyActions(changed('paused'))).toEqual(['resume nightly']);
    expect(replyActions(changed('resumed'))).toEqual(['pause nightly']);
    expect(replyActions(changed('deleted'))).toEqual([]);
  });

  it('gives approvers approve and reject with the request id', () => {
    const id = 'req-00000000-0000-0000-0000-000000000000';
    expect(replyActions(reply({ kind: 'approval-requested', request: { id } }))).toEqual([
      `approve ${id}`,
      `reject ${id} <reason>`,
    ]);
  });

  it('runs a pipeline again from its history, and cleans up orphans', () => {
    expect(replyActions(reply({ kind: 'history', pipeline: 'x', executions: [] }))).toEqual([
      'run x',
    ]);
    const orphans = [{ kind: 'schedule', name: 'old', missingPipelines: ['gone'] }];
    expect(replyActions(reply({ kind: 'orphans', orphans, cleaned: false }))).toEqual([
      'orphans clean',
    ]);
    expect(replyActions(reply({ kind: 'orphans', orphans, cleaned: true }))).toEqual([]);
  });

  it('says nothing where Slack shows no button', () => {
    expect(actionsLine(replyActions(reply({ kind: 'error', message: 'no', exitCode: 2 })))).toEqual(
      [],
    );
    expect(replyActions(reply({ kind: 'started', pipeline: 'x', executionArn: 'arn' }))).toEqual(
      [],
    );
    expect(replyActions(reply({ kind: 'list', items: [], filter: 'x', more: false }))).toEqual([]);
    expect(replyActions(reply({ kind: 'list', items: [], more: false }))).toEqual(['create']);
  });
});
