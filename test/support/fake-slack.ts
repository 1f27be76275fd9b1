import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the bot made to Slack: a Web API method, or a POST to a response_url. */
export interface SlackCall {
  method: string;
  /** Form fields, with JSON fields (blocks, view, …) parsed; or the response_url JSON body. */
  args: Record<string, unknown>;
  authorization?: string;
  /** The ts Slack gave a posted message. */
  answer?: string;
}

/**
 * A stand-in for Slack's Web API and response_urls on loopback, recording every call: the one
 * boundary tests cannot reach. Answers like Slack: HTTP 200 with {"ok": true, …}.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  private server!: Server;
  private counter = 0;
  private waiters: Array<{ method: string; count: number; resolve: () => void }> = [];
  users: Record<string, { tz: string }> = {};
  groups: Record<string, string[]> = {};
  /** Socket Mode: the WebSocket URL apps.connections.open hands out (a fresh one each call). */
  socketModeUrl?: () => string;

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.url}/respond/${id}`;
  }

  static async start(): Promise<FakeSlack> {
    const fake = new FakeSlack();
    fake.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const path = request.url ?? '';
        const call: SlackCall = path.startsWith('/respond/')
          ? {
              method: `respond:${path.slice('/respond/'.length)}`,
              args: JSON.parse(body || '{}') as Record<string, unknown>,
            }
          : {
              method: path.replace('/api/', ''),
              args: parseForm(body),
              ...(request.headers.authorization
                ? { authorization: request.headers.authorization }
                : {}),
            };
        fake.calls.push(call);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(fake.answer(call)));
        fake.notify();
      });
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method || c.method.startsWith(`${method}:`));
  }

  /** Resolves once `count` calls to `method` have been made (listeners work after the ack). */
  waitFor(method: string, count = 1, timeoutMs = 5000): Promise<void> {
    if (this.callsTo(method).length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no ${count} × ${method} within ${timeoutMs} ms; calls: ${this.calls.map((c) => c.method).join(', ')}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        method,
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  private notify(): void {
    this.waiters = this.waiters.filter((w) => {
      if (this.callsTo(w.method).length < w.count) return true;
      w.resolve();
      return false;
    });
  }

  private answer(call: SlackCall): Record<string, unknown> {
    // Like Slack's: the epoch second, then a sequence that keeps them unique and ordered.
    const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.counter).padStart(6, '0')}`;
    switch (call.method) {
      case 'auth.test':
        return { ok: true, user_id: 'U0BOT', bot_id: 'B0BOT', team_id: 'T0TEAM' };
      case 'apps.connections.open':
        // No Socket Mode stand-in: an error the client does not retry, so a start fails at once.
        return this.socketModeUrl
          ? { ok: true, url: this.socketModeUrl() }
          : { ok: false, error: 'invalid_auth' };
      case 'chat.postMessage':
        call.answer = ts;
        return { ok: true, channel: call.args.channel, ts, message: { ts } };
      case 'chat.update':
        return { ok: true, channel: call.args.channel, ts: call.args.ts };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: ts };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(call.args.users ?? 'U').slice(1)}` } };
      case 'views.open':
      case 'views.update':
      case 'views.push':
      case 'views.publish':
        return {
          ok: true,
          view: { id: `V${ts.replace('.', '')}`, hash: `h${ts}`, ...(call.args.view as object) },
        };
      case 'conversations.history': {
        const oldest = Number(call.args.oldest ?? 0);
        const messages = this.calls
          .filter(
            (c) =>
              c.method === 'chat.postMessage' && c.args.channel === call.args.channel && c.answer,
          )
          .map((c) => ({
            ts: String(c.answer),
            text: c.args.text,
            ...(c.args.metadata ? { metadata: c.args.metadata } : {}),
          }))
          .filter((m) => Number(m.ts) >= oldest)
          .reverse();
        return { ok: true, messages };
      }
      case 'users.info':
        return {
          ok: true,
          user: { id: call.args.user, tz: this.users[String(call.args.user)]?.tz ?? 'UTC' },
        };
      case 'usergroups.users.list':
        return { ok: true, users: this.groups[String(call.args.usergroup)] ?? [] };
      default:
        return { ok: true };
    }
  }
}

function parseForm(body: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Slack's v0 signature over `v0:<timestamp>:<body>`. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** POSTs a signed request to the bot, as Slack would. */
export async function postSigned(
  url: string,
  secret: string,
  body: string,
  options: { timestamp?: number; signature?: string; json?: boolean } = {},
): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.json ? 'application/json' : 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(secret, timestamp, body),
    },
    body,
  });
}
