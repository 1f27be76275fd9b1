import type { KnownBlock } from '@slack/web-api';
import { requestText } from '../../auth/access.js';
import type { ApprovalRequest } from '../../auth/approval-store.js';
import { auditSubject, auditSummary } from '../../auth/audit.js';
import { ids } from '../ids.js';
import { approvalsNeeded, decisionButtons, requestIcon } from './approval-message.js';
import {
  actions,
  channel,
  clip,
  code,
  codeBlock,
  context,
  esc,
  person,
  section,
  sections,
  when,
} from './kit.js';
import { LIMITS } from './limits.js';
import type { ReplyOf, SlackMessage } from './reply-blocks.js';
import { changedRunsBlocks, changeLines } from './update-replies.js';

/** Replies about approval requests and the audit log. */

/** A change that now waits for approval, and how to withdraw it. */
export function approvalRequestedMessage(
  reply: ReplyOf<'approval-requested'>,
  tz: string | undefined,
): SlackMessage {
  const r = reply.request;
  const needs = approvalsNeeded(r);
  return {
    text: `request ${r.id} needs ${approvalsNeeded(r, { escaped: false })}`,
    blocks: [
      section(
        `:hourglass_flowing_sand: Request ${code(r.id)} needs ${needs}${reply.approvalChannel ? `. It is posted in ${channel(reply.approvalChannel)}` : ''}.`,
      ),
      context(
        `It runs once approved; it expires ${when(r.expiresAt, tz)}. Withdraw it with ${code(`${ids.command} cancel ${r.id}`)}`,
      ),
      ...(reply.change
        ? [
            section(`*What it changes*\n${changeLines(reply.change.changes)}`),
            ...changedRunsBlocks(reply.change.runs, tz),
          ]
        : []),
    ],
  };
}

/** An approval counted, with how many are still needed. */
export function approvalRecordedMessage(reply: ReplyOf<'approval-recorded'>): SlackMessage {
  return {
    text: `approval recorded: ${reply.approvals} of ${reply.required} for ${reply.request.id}`,
    blocks: [
      section(
        `:ballot_box_with_check: Approval recorded: ${reply.approvals} of ${reply.required} for ${code(reply.request.id)}`,
      ),
    ],
  };
}

/** A request decided (or run), with what came of it. */
export function approvalDecidedMessage(reply: ReplyOf<'approval-decided'>): SlackMessage {
  return {
    text: `${reply.request.id} is ${reply.request.status.toLowerCase()}: ${reply.summary}`,
    blocks: [
      section(
        `${requestIcon(reply.request.status)} ${code(reply.request.id)} is *${reply.request.status.toLowerCase()}*: ${esc(reply.summary)}`,
      ),
    ],
  };
}

/** The audit log, newest first. */
export function auditMessage(reply: ReplyOf<'audit'>, tz: string | undefined): SlackMessage {
  if (reply.entries.length === 0)
    return reply.pipeline
      ? {
          text: `Nothing on record for ${reply.pipeline}.`,
          blocks: [section(`Nothing on record for *${esc(reply.pipeline)}*.`)],
        }
      : { text: 'Nothing on record yet.', blocks: [section('Nothing on record yet.')] };
  return {
    text: `${reply.entries.length} audit entries`,
    blocks: [
      section(`*Audit log${reply.pipeline ? ` of ${esc(reply.pipeline)}` : ''}*`),
      ...sections(
        reply.entries.map((e) => {
          const what = auditSubject(e);
          const reason = auditSummary(e);
          return `${when(e.at, tz)}  ${person(e.actor)}  *${esc(e.event)}*${what ? `  ${esc(what)}` : ''}${e.requestId ? `  ${code(e.requestId)}` : ''}${reason ? `  — ${esc(clip(reason, 300))}` : ''}`;
        }),
        LIMITS.blocks.message - 1,
      ),
    ],
  };
}

const MAX_APPROVAL_ROWS = 15;

/** The requests waiting for a decision, the first ones with their decision buttons. */
export function approvalsMessage(
  pending: Array<{ request: ApprovalRequest; approvals: number }>,
  tz: string | undefined,
): SlackMessage {
  if (pending.length === 0)
    return { text: 'no requests are waiting', blocks: [section('No requests are waiting.')] };
  const summary = ({ request: r, approvals }: (typeof pending)[number]) =>
    `${code(r.id)} *${esc(r.action)}*${r.triggerName ? ` ${esc(r.triggerName)}` : ''} (${esc(r.pipelineNames.join(', '))}) by ${person(r.requestedBy)}, ${approvals} of ${r.requiredApprovals} approvals, expires ${when(r.expiresAt, tz)}`;
  const rows = pending.slice(0, MAX_APPROVAL_ROWS);
  return {
    text: `${pending.length} requests are waiting`,
    blocks: [
      section('*Requests waiting for a decision*'),
      ...rows.flatMap((p, i): KnownBlock[] => [
        section(`${summary(p)}\n${codeBlock(requestText(p.request.payload), 1000)}`),
        actions(`${ids.blocks.requestActions}_${i}`, decisionButtons(p.request)),
      ]),
      ...sections(pending.slice(rows.length).map(summary), 3),
    ],
  };
}
