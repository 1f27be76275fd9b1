import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ReplyOptions } from '../views/reply-blocks.js';

/**
 * Small helpers every Slack listener shares: reading what Slack sent (defensively: payloads are
 * outside input), answering, and the keys under which posted messages are remembered.
 */

/** The value of the clicked button ('' when it has none). */
export function actionValue(action: unknown): string {
  const value = (action as { value?: unknown }).value;
  return typeof value === 'string' ? value : '';
}

/** The channel a click came from, for channel-scoped policy rules. */
export function channelOf(body: unknown): string | undefined {
  const channel = (body as { channel?: { id?: unknown } }).channel;
  return typeof channel?.id === 'string' ? channel.id : undefined;
}

/** The workspace a request says it comes from, wherever its kind of payload puts it. */
export function teamOf(body: unknown): string | undefined {
  const b = body as {
    team?: { id?: unknown } | null;
    team_id?: unknown;
    user?: { team_id?: unknown };
  };
  const id = b.team?.id ?? b.team_id ?? b.user?.team_id;
  return typeof id === 'string' ? id : undefined;
}

/** The Enterprise Grid org a request says it comes from, when it does. */
export function enterpriseOf(body: unknown): string | undefined {
  const b = body as {
    enterprise?: { id?: unknown } | null;
    enterprise_id?: unknown;
    team?: { enterprise_id?: unknown } | null;
  };
  const id = b.enterprise?.id ?? b.enterprise_id ?? b.team?.enterprise_id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The message a click came from, to update it in place. */
export function messageOf(body: unknown): { channel: string; ts: string } | undefined {
  const b = body as { channel?: { id?: unknown }; message?: { ts?: unknown } };
  return typeof b.channel?.id === 'string' && typeof b.message?.ts === 'string'
    ? { channel: b.channel.id, ts: b.message.ts }
    : undefined;
}

/** The JSON a view carries in private_metadata; {} when it is missing or not ours. */
/** How a reply is rendered for the person reading it now: their zone, and the moment. */
export function forReader(userTimeZone: string | undefined): ReplyOptions {
  return { ...(userTimeZone ? { userTimeZone } : {}), now: new Date() };
}

export function parseMetadata(text: string | undefined): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text ?? '{}');
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Where the approval request's message is remembered, so any decision updates it. */
export function approvalMessageKey(requestId: string): string {
  return `approval:${requestId}`;
}

export interface SlackMessage {
  text: string;
  blocks?: unknown[];
}

/** An answer only the person who asked sees, beside (not instead of) what they clicked. */
export async function answerPrivately(
  respond: RespondFn | undefined,
  message: SlackMessage,
): Promise<void> {
  if (!respond) return;
  await respond({
    response_type: 'ephemeral',
    replace_original: false,
    text: message.text,
    ...(message.blocks ? { blocks: message.blocks as never } : {}),
  });
}

/** A message to someone, in their DM with the bot. */
export async function postToUser(
  client: WebClient,
  userId: string,
  message: SlackMessage,
): Promise<void> {
  const opened = await client.conversations.open({ users: userId });
  const channel = opened.channel?.id;
  if (channel)
    await client.chat.postMessage({
      channel,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks as never } : {}),
    });
}

/**
 * Lets requests that arrived meanwhile be acknowledged before this one's work runs: the work
 * (store reads, AWS calls) can wait a moment, Slack's three seconds cannot.
 */
export function afterPendingAcks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Work that follows an acknowledgement runs a few at a time, behind any acknowledgement
 * waiting: under a burst, acks come first and answers follow, instead of every answer's store
 * reads and Web API calls delaying every other ack.
 */
export class AfterAckQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly concurrency: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    await afterPendingAcks();
    if (this.running >= this.concurrency)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      const next = this.waiting.shift();
      if (next) setImmediate(next);
    }
  }
}
