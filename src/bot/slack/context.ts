import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import { readPayload } from '../../auth/access.js';
import type { ApprovalRequest } from '../../auth/approval-store.js';
import type { Logger } from '../../logger.js';
import type { PostedMessageRepository } from '../../notifications/notification-store.js';
import { previewSchedule, type SchedulePreview } from '../../scheduling/expression/index.js';
import type { BotRuntime } from '../bot-runtime.js';
import type { Command } from '../commands/grammar.js';
import { SLACK_LIST_PAGE } from '../commands/list.js';
import type { Reply } from '../commands/replies.js';
import { roleWarningsOf } from '../commands/role-warnings.js';
import { runCommand } from '../commands/run-command.js';
import {
  approvalMessage,
  type Decision,
  decidedApprovalMessage,
  decisionNotice,
} from '../views/approval-message.js';
import type { ReplyOf } from '../views/reply-blocks.js';
import { AfterAckQueue, approvalMessageKey, postToUser } from './support.js';

/** Answers worked on at once after their acks; more wait their turn. */
const AFTER_ACK_CONCURRENCY = 4;
/** How long a person's time zone (users.info) is reused. */
const TIME_ZONE_TTL_MS = 3_600_000;

/** What every Slack listener works with: the product, and the few things they share. */
export interface SlackContext {
  runtime: BotRuntime;
  log: Logger;
  afterAck: AfterAckQueue;
  /** The person's Slack time zone, when Slack says. */
  userTimeZone(client: WebClient, userId: string): Promise<string | undefined>;
  /** Runs a command as this person, from this channel, through the gate every front end takes. */
  execute(command: Command, userId: string, channelId?: string): Promise<Reply>;
  /** The same, then posts what needs posting (an approval request, a decision). */
  run(client: WebClient, command: Command, userId: string, channelId?: string): Promise<Reply>;
  /** A decision reaches the approval message and the requester. */
  showDecision(
    client: WebClient,
    request: ApprovalRequest,
    decision: Decision | string,
    decidedBy: string,
  ): Promise<void>;
}

export function createSlackContext(runtime: BotRuntime, log: Logger): SlackContext {
  const timeZones = new Map<string, { at: number; tz?: string }>();
  const showDecision: SlackContext['showDecision'] = (client, request, decision, decidedBy) =>
    showApprovalDecision({ client, store: runtime.store, log }, request, decision, decidedBy);
  const execute: SlackContext['execute'] = (command, userId, channelId) =>
    runCommand(command, {
      ...runtime.commandDeps(userId, channelId),
      requestId: randomUUID(),
      listPageSize: SLACK_LIST_PAGE,
    });
  return {
    runtime,
    log,
    afterAck: new AfterAckQueue(AFTER_ACK_CONCURRENCY),
    showDecision,
    async userTimeZone(client, userId) {
      const cached = timeZones.get(userId);
      if (cached && Date.now() - cached.at < TIME_ZONE_TTL_MS) return cached.tz;
      const info = await client.users.info({ user: userId }).catch(() => undefined);
      const tz = info?.user?.tz;
      timeZones.set(userId, { at: Date.now(), ...(tz ? { tz } : {}) });
      return tz;
    },
    execute,
    async run(client, command, userId, channelId) {
      const reply = await execute(command, userId, channelId);
      if (reply.kind === 'approval-requested') {
        const channel = reply.approvalChannel ?? channelId;
        if (channel) await postApprovalRequest(client, runtime, log, reply, channel);
      }
      if (reply.kind === 'approval-decided')
        await showDecision(client, reply.request, reply.decision ?? reply.summary, userId);
      return reply;
    },
  };
}

/** Posts a request where approvers look, and remembers where, so any decision updates it. */
async function postApprovalRequest(
  client: WebClient,
  runtime: BotRuntime,
  log: Logger,
  { request, change }: ReplyOf<'approval-requested'>,
  channel: string,
): Promise<void> {
  const store = runtime.store;
  const payload = readPayload(request.payload);
  const command = payload?.command as Command | undefined;
  const preview = command ? previewOf(command) : {};
  // The approver sees what the role check says before deciding; the execution checks again.
  const roleProblems = command
    ? await roleWarningsOf(command, runtime.commandDeps(request.requestedBy))
    : [];
  const shown = approvalMessage(request, {
    text: payload?.text ?? request.payload,
    ...preview,
    // An update, as its diff against the trigger when the request was made.
    ...(change ? { change } : {}),
    ...(roleProblems.length ? { warnings: roleProblems } : {}),
  });
  const posted = await client.chat.postMessage({ channel, ...shown }).catch((error: unknown) => {
    log.error(
      { err: error, requestId: request.id, channel },
      'posting the approval request failed; is the bot in the approval channel?',
    );
    return undefined;
  });
  if (posted?.ts)
    await store.messages.put(approvalMessageKey(request.id), {
      channel: posted.channel ?? channel,
      ts: posted.ts,
    });
}

/** What a create request's schedule will do, for the approvers to see. */
function previewOf(command: Command): { preview?: SchedulePreview } {
  if (command.name !== 'create') return {};
  const preview = previewSchedule({
    expression: command.expression,
    now: new Date(),
    ...(command.options.timeZone ? { timeZone: command.options.timeZone } : {}),
  });
  return preview.ok ? { preview: preview.preview } : {};
}

/**
 * A decision reaches Slack: the approval message is updated in place wherever it was posted,
 * and the requester is told in a DM (unless they decided it themselves). Also used when a
 * restart finishes or closes a request left in between.
 */
export async function showApprovalDecision(
  deps: { client: WebClient; store: { messages: PostedMessageRepository }; log: Logger },
  request: ApprovalRequest,
  decision: Decision | string,
  decidedBy: string,
): Promise<void> {
  const location = await deps.store.messages.get(approvalMessageKey(request.id));
  if (location) {
    await deps.client.chat
      .update({ ...location, ...decidedApprovalMessage(request, decision) })
      .catch((error: unknown) =>
        deps.log.warn(
          { err: error, requestId: request.id },
          'updating the approval message failed',
        ),
      );
  }
  if (request.requestedBy !== decidedBy)
    await postToUser(deps.client, request.requestedBy, decisionNotice(request, decision));
}
