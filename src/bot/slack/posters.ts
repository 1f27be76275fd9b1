import { ErrorCode, type WebClient } from '@slack/web-api';
import { type ChatMessage, type ChatPoster, RateLimited } from '../../notifications/notifier.js';
import { messageLines, type NameOf, summaryLine } from '../terminal/blocks-text.js';

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
 * Execution (and missed-run) messages in the terminal chat: what the Slack message shows, as
 * text (terminal/blocks-text.ts). A change to a message is one line that, where the terminal
 * allows it, replaces the message's last line instead of adding another.
 */
export class TerminalPoster implements ChatPoster {
  private next = 0;

  /** `key` names the message, so the terminal can rewrite its lines in place. */
  constructor(
    private readonly write: (lines: string[], key: string) => void,
    /** People's names, for mentions; ids show where none is known. */
    private readonly nameOf: NameOf = () => undefined,
  ) {}

  async post(
    _channel: string,
    message: ChatMessage,
    options: { threadTs?: string } = {},
  ): Promise<{ ts: string }> {
    const ts = String(++this.next);
    const [first = '', ...rest] = messageLines(message, this.nameOf);
    this.write(
      options.threadTs
        ? [`   ↳ ${first}`, ...rest.map((l) => `     ${l}`)]
        : [`● ${first}`, ...rest.map((l) => `  ${l}`)],
      ts,
    );
    return { ts };
  }

  async update(_channel: string, ts: string, message: ChatMessage): Promise<void> {
    this.write([`● ${summaryLine(message, this.nameOf)}`], ts);
  }

  async find(): Promise<string | undefined> {
    // The terminal has no history to search; a repeated line after a crash is harmless.
    return undefined;
  }
}
