import { ErrorCode, type WebClient } from '@slack/web-api';
import { type ChatMessage, type ChatPoster, RateLimited } from '../../notifications/notifier.js';
import { unesc } from '../views/kit.js';

const EXECUTION_EVENT_TYPE = 'pipeline_execution';

/**
 * Execution messages through the Web API. The client must be built with
 * rejectRateLimitedCalls: a 429 then comes back here as RateLimited, and the notifier pauses
 * that one channel for Retry-After instead of the client stalling every call.
 */
export class SlackPoster implements ChatPoster {
  constructor(private readonly client: WebClient) {}

  async post(
    channel: string,
    message: ChatMessage,
    options: { threadTs?: string; executionArn?: string } = {},
  ): Promise<{ ts: string }> {
    const result = await this.guard(() =>
      this.client.chat.postMessage({
        channel,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
        ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
        // Message metadata names the execution, so a restarted bot can find its own message.
        ...(options.executionArn
          ? {
              metadata: {
                event_type: EXECUTION_EVENT_TYPE,
                event_payload: { execution_arn: options.executionArn },
              },
            }
          : {}),
        unfurl_links: false,
      }),
    );
    return { ts: result.ts ?? '' };
  }

  async find(channel: string, executionArn: string, since: number): Promise<string | undefined> {
    const history = await this.guard(() =>
      this.client.conversations.history({
        channel,
        oldest: String(Math.floor(since / 1000) - 5),
        include_all_metadata: true,
        limit: 200,
      }),
    );
    const found = history.messages?.find(
      (m) =>
        m.metadata?.event_type === EXECUTION_EVENT_TYPE &&
        (m.metadata.event_payload as { execution_arn?: string } | undefined)?.execution_arn ===
          executionArn,
    );
    return found?.ts;
  }

  async update(channel: string, ts: string, message: ChatMessage): Promise<void> {
    await this.guard(() =>
      this.client.chat.update({
        channel,
        ts,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
      }),
    );
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const e = error as { code?: string; retryAfter?: number };
      if (e.code === ErrorCode.RateLimitedError) throw new RateLimited(e.retryAfter ?? 1);
      throw error;
    }
  }
}

/**
 * Execution messages in the terminal chat: one line per change, failures indented below. The
 * text is the mrkdwn fallback made for Slack, so its entities are turned back into the
 * characters Slack would show; a terminal has no mentions or links to fear.
 */
export class TerminalPoster implements ChatPoster {
  private next = 0;

  constructor(private readonly write: (line: string) => void) {}

  async post(
    _channel: string,
    message: ChatMessage,
    options: { threadTs?: string } = {},
  ): Promise<{ ts: string }> {
    const text = unesc(message.text);
    this.write(options.threadTs ? `   ↳ ${text}` : `● ${text}`);
    return { ts: String(++this.next) };
  }

  async update(_channel: string, _ts: string, message: ChatMessage): Promise<void> {
    this.write(`● ${unesc(message.text)}`);
  }

  async find(): Promise<string | undefined> {
    // The terminal has no history to search; a repeated line after a crash is harmless.
    return undefined;
  }
}
