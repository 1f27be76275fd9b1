import type { ActionsBlock, Button, InputBlock, KnownBlock } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { ids } from '../../../src/bot/ids.js';
import {
  approvalMessage,
  decidedApprovalMessage,
  parseDecisionValue,
  readRejectReason,
  rejectReasonModal,
} from '../../../src/bot/views/approval-message.js';
import { blockKitProblems } from '../../../src/bot/views/limits.js';
import { LONG, preview, request } from './samples.js';

const buttons = (blocks: KnownBlock[]): Button[] =>
  blocks
    .filter((b): b is ActionsBlock => b.type === 'actions')
    .flatMap((b) => b.elements.filter((e): e is Button => e.type === 'button'));

const TEXT =
  "create churn-train 'cron(0 8 ? * MON-FRI *)' tz=Europe/Berlin role=prod param:InstanceType=ml.m5.xlarge";

describe('approvalMessage', () => {
  const p = preview();
  const message = approvalMessage(request(), { preview: p, text: TEXT });
  const json = JSON.stringify(message.blocks);

  it('shows who asks and exactly what', () => {
    expect(message.text).toBe(`<@U0ALICE> asks for approval: ${TEXT}`);
    expect(json).toContain('<@U0ALICE> asks to *create*');
    expect(json).toContain(TEXT.replace(/'/g, "'"));
    expect(json).toContain('churn-train');
    expect(json).toContain('`cron(0 8 ? * MON-FRI *)`\\nat 08:00, Monday through Friday');
    expect(json).toContain('*Time zone*\\nEurope/Berlin');
    expect(json).toContain('*Execution role*\\n`prod`');
    expect(json).toContain('`InstanceType=ml.m5.xlarge`');
    expect(json).toContain('2 approvals from *approvers* or *admins*');
    expect(json).toContain('*Expires*\\n`2026-03-03T07:30:00Z`');
    expect(json).toContain('<#C0MLOPS>');
    // The five next runs.
    expect(json.match(/• \w{3} 2026-03-\d\d 08:00 Europe\/Berlin · <!date\^/g)).toHaveLength(5);
    expect(blockKitProblems('message', message)).toEqual([]);
    expect(message.blocks).toMatchSnapshot();
  });

  it('shows what the role check found, escaped, before the approver decides', () => {
    const warned = approvalMessage(request(), {
      text: TEXT,
      warnings: [
        {
          code: 'ROLE_CHECK',
          message:
            'role prod: its trust policy does not let scheduler.amazonaws.com assume it <!here>',
        },
      ],
    });
    const blocks = JSON.stringify(warned.blocks);
    expect(blocks).toContain(
      ':warning: role prod: its trust policy does not let scheduler.amazonaws.com assume it &lt;!here&gt;',
    );
    expect(blocks).not.toContain('<!here>');
  });

  it('Approve is primary; both buttons carry the id and the content hash only', () => {
    const [approve, reject] = buttons(message.blocks);
    expect(approve).toMatchObject({
      action_id: ids.actions.approve,
      style: 'primary',
      value: `req-3f2a9c|${'a'.repeat(64)}`,
    });
    expect(reject).toMatchObject({ action_id: ids.actions.reject, value: approve?.value });
    expect(parseDecisionValue(approve?.value)).toEqual({
      requestId: 'req-3f2a9c',
      contentHash: 'a'.repeat(64),
    });
    expect(parseDecisionValue('no-separator')).toBeUndefined();
    expect(parseDecisionValue('x|')).toBeUndefined();
  });

  it('stays within limits with long names, long commands and many warnings', () => {
    const long = approvalMessage(
      request({ triggerName: LONG, pipelineNames: [LONG, LONG], requestedBy: 'cli:ana' }),
      { preview: preview('cron(30 2 31 * ? *)'), text: 'x'.repeat(10_000) },
    );
    expect(blockKitProblems('message', long)).toEqual([]);
    expect(long.text).toMatch(/^cli:ana asks for approval: x+…$/);
  });

  it('works without a preview (run, delete) and with a payload that is not JSON', () => {
    const plain = approvalMessage(request({ action: 'delete', payload: 'not json' }), {
      text: 'delete churn-weekdays',
    });
    expect(blockKitProblems('message', plain)).toEqual([]);
    expect(JSON.stringify(plain.blocks)).not.toContain('Next runs');
  });
});

describe('decidedApprovalMessage', () => {
  it('keeps the content, drops the buttons, and says who decided what', () => {
    const decided = decidedApprovalMessage(
      request({ status: 'REJECTED', decidedBy: 'U0LEAD1', reason: 'not during the freeze' }),
      'rejected by a lead',
    );
    expect(buttons(decided.blocks)).toEqual([]);
    expect(decided.blocks.some((b) => b.type === 'actions')).toBe(false);
    const json = JSON.stringify(decided.blocks);
    expect(json).toContain('*Rejected* by <@U0LEAD1>');
    expect(json).toContain('not during the freeze');
    expect(json).toContain('rejected by a lead');
    expect(json).toContain('`InstanceType=ml.m5.xlarge`');
    expect(decided.text).toBe('req-3f2a9c Rejected: rejected by a lead');
    expect(blockKitProblems('message', decided)).toEqual([]);
  });

  it('keeps the diff an update was decided on', () => {
    const payload = JSON.parse(request().payload);
    const decided = decidedApprovalMessage(
      request({
        action: 'update',
        status: 'EXECUTED',
        payload: JSON.stringify({
          ...payload,
          changes: [{ field: 'expression', before: 'rate(1 day)', after: 'rate(2 days)' }],
        }),
      }),
      'updated schedule nightly',
    );
    expect(JSON.stringify(decided.blocks)).toContain(
      '*Changes*\\n• *expression*: `rate(1 day)` → `rate(2 days)`',
    );
    expect(JSON.stringify(decidedApprovalMessage(request(), 'done').blocks)).not.toContain(
      'Changes',
    );
  });

  it('renders every final status', () => {
    for (const status of ['APPROVED', 'EXECUTED', 'FAILED', 'EXPIRED', 'CANCELLED'] as const) {
      const decided = decidedApprovalMessage(request({ status }), 'done');
      expect(blockKitProblems('message', decided)).toEqual([]);
      expect(buttons(decided.blocks)).toEqual([]);
    }
  });
});

describe('rejectReasonModal', () => {
  it('asks for a reason and carries the id and hash', () => {
    const modal = rejectReasonModal('req-3f2a9c', 'a'.repeat(64));
    expect(modal.callback_id).toBe(ids.views.rejectReason);
    expect(blockKitProblems('modal', modal)).toEqual([]);
    const input = modal.blocks.find((b): b is InputBlock => b.type === 'input');
    expect(input?.block_id).toBe(ids.rejectReason.block);
    expect(
      readRejectReason({
        private_metadata: modal.private_metadata ?? '',
        state: {
          values: {
            [ids.rejectReason.block]: {
              [ids.rejectReason.action]: { type: 'plain_text_input', value: '  freeze ' },
            },
          },
        },
      }),
    ).toEqual({ requestId: 'req-3f2a9c', contentHash: 'a'.repeat(64), reason: 'freeze' });
    expect(readRejectReason({ private_metadata: 'garbage' })).toBeUndefined();
  });
});
