import type { Button, KnownBlock, ModalView } from '@slack/web-api';
import { readPayload, requestText } from '../../auth/access.js';
import type { ApprovalRequest } from '../../auth/approval-store.js';
import type { SchedulePreview, ScheduleWarning } from '../../scheduling/expression/index.js';
import type { PlannedChange } from '../commands/replies.js';
import { ids } from '../ids.js';
import {
  actions,
  button,
  channel,
  clip,
  code,
  codeBlock,
  context,
  esc,
  fieldsSection,
  header,
  mrkdwn,
  person,
  plain,
  section,
  when,
} from './kit.js';
import { LIMITS } from './limits.js';
import { changedRunsBlocks, changeLines } from './update-replies.js';

export interface ApprovalMessage {
  text: string;
  blocks: KnownBlock[];
}

/**
 * What the approver is shown: the command as typed, for schedules its preview, and what the
 * role check found (for rules too).
 */
export interface ShownRequest {
  preview?: SchedulePreview;
  text: string;
  warnings?: ScheduleWarning[];
  /** An update: what it changes, and a schedule's next runs before and after. */
  change?: PlannedChange;
}

/**
 * The message asking approvers to decide: who asks, exactly what (the command, pipelines,
 * expression in words with its next runs, parameters, role, zone, expiry), and Approve / Reject
 * buttons whose value binds the click to this content (`<id>|<contentHash>`): an edited request
 * has another hash, so an old button can't approve it.
 */
export function approvalMessage(request: ApprovalRequest, shown: ShownRequest): ApprovalMessage {
  return {
    // person() gives <@U…>, which notifications render as the name.
    text: clip(`${person(request.requestedBy)} asks for approval: ${esc(shown.text)}`, 3000),
    blocks: [
      header(
        `Approval needed: ${request.action}${request.triggerName ? ` ${request.triggerName}` : ''}`,
      ),
      ...contentBlocks(request, shown),
      actions(`${ids.blocks.approvalActions}_0`, decisionButtons(request)),
    ],
  };
}

/**
 * A decision as the views show it. The caller passes its parts, not a sentence, so the view can
 * make the decider a live mention and escape the rest exactly once.
 */
export interface Decision {
  what: 'approved' | 'rejected' | 'withdrawn';
  /** Who decided: a Slack user id becomes a mention; anything else (cli:ana) shows as text. */
  by: string;
  /** What running it gave, or the rejecter's reason: untrusted text, escaped here. */
  detail?: string;
}

/**
 * The decision in one mrkdwn line: `approved by <@U0LEAD1>: created schedule churn-weekdays`. A
 * plain string (a command's summary, as `approve` and `reject` typed in a channel give it) is
 * taken as untrusted text as a whole.
 */
function decisionSummary(decision: Decision | string, max = 1500): string {
  if (typeof decision === 'string') return esc(clip(decision, max));
  const detail = decision.detail ? `: ${esc(clip(decision.detail, max))}` : '';
  return `${decision.what} by ${person(decision.by)}${detail}`;
}

/**
 * The same message once decided: the content without buttons (so no one clicks twice), with the
 * decision, who made it, the reason and the outcome.
 */
export function decidedApprovalMessage(
  request: ApprovalRequest,
  decision: Decision | string,
): ApprovalMessage {
  const status = request.status;
  const changes = readPayload(request.payload)?.changes;
  const decided = request.decidedBy ? ` by ${person(request.decidedBy)}` : '';
  const summary = decisionSummary(decision);
  return {
    text: `${esc(request.id)} ${statusWord[status]}: ${summary}`,
    blocks: [
      header(
        `${statusWord[status]}: ${request.action}${request.triggerName ? ` ${request.triggerName}` : ''}`,
      ),
      section(
        `${requestIcon(status)} *${statusWord[status]}*${decided}${request.reason ? `\n>${esc(clip(request.reason, 1000)).replace(/\n/g, '\n>')}` : ''}\n${summary}`,
      ),
      ...contentBlocks(request, {
        text: requestText(request.payload),
        // An update keeps the diff it was decided on (the next runs were of that moment).
        ...(changes?.length ? { change: { changes } } : {}),
      }),
    ],
  };
}

/**
 * The direct message telling the requester what became of their request (`Your request req-1 is
 * rejected: rejected by <@U0LEAD1>: not during the freeze`). Text only, which Slack reads as
 * mrkdwn: the decider is a live mention, the reason and the outcome are escaped.
 */
export function decisionNotice(
  request: Pick<ApprovalRequest, 'id' | 'status'>,
  decision: Decision | string,
): { text: string } {
  return {
    text: `Your request ${esc(request.id)} is ${request.status.toLowerCase()}: ${decisionSummary(decision)}`,
  };
}

/**
 * The modal asking a rejecter why. `private_metadata` carries `{"id","hash"}` so the submission
 * rejects exactly the content the button was on.
 */
export function rejectReasonModal(requestId: string, contentHash: string): ModalView {
  return {
    type: 'modal',
    callback_id: ids.views.rejectReason,
    title: plain('Reject request', LIMITS.modalTitle),
    submit: plain('Reject', LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: JSON.stringify({ id: requestId, hash: contentHash }),
    blocks: [
      section(`Rejecting request ${code(requestId)}. The requester sees your reason.`),
      {
        type: 'input',
        block_id: ids.rejectReason.block,
        label: plain('Reason', LIMITS.inputLabel),
        element: {
          type: 'plain_text_input',
          action_id: ids.rejectReason.action,
          multiline: true,
          max_length: 1000,
          placeholder: plain('e.g. not during the release freeze', LIMITS.placeholder),
        },
      },
    ],
  };
}

/** Reads the reject-reason submission: the request, the content it was about, and why. */
export function readRejectReason(view: {
  private_metadata?: string;
  state?: { values?: Record<string, Record<string, unknown>> };
}): { requestId: string; contentHash: string; reason: string } | undefined {
  let meta: unknown;
  try {
    meta = JSON.parse(view.private_metadata ?? '');
  } catch {
    return undefined;
  }
  if (typeof meta !== 'object' || meta === null) return undefined;
  const { id, hash } = meta as { id?: unknown; hash?: unknown };
  if (typeof id !== 'string' || typeof hash !== 'string') return undefined;
  const input = view.state?.values?.[ids.rejectReason.block]?.[ids.rejectReason.action] as
    | { value?: unknown }
    | undefined;
  const reason = typeof input?.value === 'string' ? input.value.trim() : '';
  return { requestId: id, contentHash: hash, reason };
}

/** The value of Approve and Reject: the request and the exact content shown. */
export function decisionValue(request: Pick<ApprovalRequest, 'id' | 'contentHash'>): string {
  return `${request.id}|${request.contentHash}`;
}

/** The inverse of decisionValue; undefined for anything else. */
export function parseDecisionValue(
  value: string | undefined,
): { requestId: string; contentHash: string } | undefined {
  const at = value?.lastIndexOf('|') ?? -1;
  if (!value || at <= 0 || at === value.length - 1) return undefined;
  return { requestId: value.slice(0, at), contentHash: value.slice(at + 1) };
}

/** Approve (primary) and Reject; both values are `<id>|<contentHash>`. */
export function decisionButtons(request: ApprovalRequest): Button[] {
  const value = decisionValue(request);
  return [
    button(ids.actions.approve, 'Approve', value, { style: 'primary' }),
    button(ids.actions.reject, 'Reject', value, { style: 'danger' }),
  ];
}

/**
 * `an approval from *approvers*`, `2 approvals from *admins* or *leads*`. Escaped for a mrkdwn
 * field; `{ escaped: false }` for text that is escaped later as a whole (a reply's fallback).
 */
export function approvalsNeeded(r: ApprovalRequest, { escaped = true } = {}): string {
  const from = r.approverRoles.map((role) => `*${escaped ? esc(role) : role}*`).join(' or ');
  return `${r.requiredApprovals === 1 ? 'an approval' : `${r.requiredApprovals} approvals`} from ${from || 'an approver'}`;
}

export function requestIcon(status: ApprovalRequest['status']): string {
  switch (status) {
    case 'APPROVED':
    case 'EXECUTING':
    case 'EXECUTED':
      return ':white_check_mark:';
    case 'REJECTED':
    case 'FAILED':
      return ':x:';
    case 'EXPIRED':
      return ':hourglass:';
    case 'CANCELLED':
      return ':no_entry_sign:';
    case 'PENDING':
      return ':hourglass_flowing_sand:';
  }
}

const statusWord: Record<ApprovalRequest['status'], string> = {
  PENDING: 'Approval needed',
  APPROVED: 'Approved',
  EXECUTING: 'Approved, running',
  EXECUTED: 'Approved and done',
  FAILED: 'Approved, but it failed',
  REJECTED: 'Rejected',
  EXPIRED: 'Expired',
  CANCELLED: 'Withdrawn',
};

/** The parts of a stored command an approver needs; read defensively (the payload is JSON). */
interface CommandDetails {
  expression?: string;
  pattern?: string;
  timeZone?: string;
  role?: string;
  parameters: Array<{ name: string; value: string }>;
}

function commandDetails(payload: string): CommandDetails {
  const details: CommandDetails = { parameters: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return details;
  }
  const obj = (v: unknown): Record<string, unknown> =>
    typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  const s = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const command = obj(obj(parsed).command);
  const options = obj(command.options);
  const access = obj(obj(parsed).access);
  const expression = s(command.expression);
  const pattern = s(command.pattern);
  const timeZone = s(options.timeZone);
  const role = s(options.role) ?? s(access.executionRole);
  if (expression) details.expression = expression;
  if (pattern) details.pattern = pattern;
  if (timeZone) details.timeZone = timeZone;
  if (role) details.role = role;
  if (Array.isArray(command.parameters))
    for (const p of command.parameters) {
      const name = s(obj(p).name);
      const value = obj(p).value;
      if (name && typeof value === 'string') details.parameters.push({ name, value });
    }
  return details;
}

function contentBlocks(request: ApprovalRequest, shown: ShownRequest): KnownBlock[] {
  const d = commandDetails(request.payload);
  const preview = shown.preview;
  const expression = preview?.expression.text ?? d.expression;
  const timeZone = preview?.timeZone ?? d.timeZone ?? (expression ? 'UTC' : undefined);
  const params = d.parameters.length
    ? d.parameters.map((p) => code(`${p.name}=${p.value}`)).join('\n')
    : undefined;
  const pipelines = request.pipelineNames.map((p) => `*${esc(p)}*`).join(', ');
  const blocks: KnownBlock[] = [
    section(
      `${person(request.requestedBy)} asks to *${esc(request.action)}*${request.triggerName ? ` ${code(request.triggerName)}` : ''}${pipelines ? ` for ${pipelines}` : ''}:\n${codeBlock(shown.text, LIMITS.sectionText - 400)}`,
    ),
    ...fieldsSection([
      ['Pipelines', request.pipelineNames.map(esc).join('\n')],
      ['Trigger', request.triggerName ? esc(request.triggerName) : undefined],
      [
        'Expression',
        expression
          ? `${code(expression)}${preview ? `\n${esc(preview.description)}` : ''}`
          : undefined,
      ],
      ['Time zone', timeZone ? esc(timeZone) : undefined],
      [
        'Execution role',
        d.role
          ? code(d.role)
          : expression || d.pattern
            ? 'the default for this pipeline'
            : undefined,
      ],
      ['Parameters', params ? mrkdwn(params, 1900).text : undefined],
      ['Needs', approvalsNeeded(request)],
      ['Expires', when(request.expiresAt)],
      ['Asked in', request.channelId ? channel(request.channelId) : undefined],
    ]),
  ];
  if (shown.change) {
    blocks.push(
      section(
        shown.change.changes.length
          ? `*Changes*\n${changeLines(shown.change.changes)}`
          : '*Changes:* none against the trigger as it is now',
      ),
      ...changedRunsBlocks(shown.change.runs, undefined),
    );
  }
  if (preview) {
    blocks.push(
      section(
        preview.occurrences.length
          ? `*Next runs*\n${preview.occurrences.map((o) => `• ${when(o, undefined, preview.timeZone)}`).join('\n')}`
          : '*Next runs:* none',
      ),
    );
  }
  const warnings = [...(shown.warnings ?? []), ...(preview?.warnings ?? [])];
  if (warnings.length)
    blocks.push(
      context(
        ...warnings.slice(0, LIMITS.contextElements).map((w) => `:warning: ${esc(w.message)}`),
      ),
    );
  blocks.push(
    context(`Request ${code(request.id)} · content ${code(request.contentHash.slice(0, 12))}`),
  );
  return blocks;
}
