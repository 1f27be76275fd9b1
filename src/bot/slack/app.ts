import type { RequestListener } from 'node:http';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import type { BotRuntime } from '../bot-runtime.js';
import { createSlackContext } from './context.js';
import { registerListeners } from './listeners/index.js';
import { type Installation, sameWorkspaceOnly } from './listeners/middleware/same-workspace.js';
import { guardSlackRequests } from './request-guard.js';

export { showApprovalDecision } from './context.js';

export interface SlackAppOptions {
  mode: { kind: 'http'; signingSecret: string } | { kind: 'socket'; appToken: string };
  botToken: string;
  apiUrl?: string;
  runtime: BotRuntime;
  log: Logger;
  /** Skip auth.test at start (tests); Bolt asks Slack who the bot is otherwise. */
  botIdentity?: { botId: string; botUserId: string };
  /** Tests: never retry a failed Web API call. */
  retries?: number;
  /** Where the app is installed (workspace, Grid org); asked of auth.test when unset. */
  installation?: Installation;
}

export interface SlackApp {
  app: App;
  client: WebClient;
  /** HTTP mode: the handler for /slack/events. */
  listener?: RequestListener;
  /** Socket Mode: connects to Slack. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Bolt app: /pipeline-schedule, the create modal, approval buttons, trigger buttons,
 * App Home. Every listener acknowledges first and works after; every click is authorized
 * again on the server by running the same command as the person who clicked.
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { runtime, log } = options;
  const clientOptions = {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: options.retries ?? 10 },
  };
  const boltLogger = boltLog(log);
  // Known identity (tests): Bolt skips its auth.test at construction.
  const identity = options.botIdentity
    ? {
        botId: options.botIdentity.botId,
        botUserId: options.botIdentity.botUserId,
        tokenVerificationEnabled: false,
      }
    : {};
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (options.mode.kind === 'http') {
    receiver = new HTTPReceiver({
      signingSecret: options.mode.signingSecret,
      endpoints: '/slack/events',
      logger: boltLogger,
      unhandledRequestTimeoutMillis: 3001,
      // The guard in front (request-guard.ts, the only way in) has checked the signature of
      // these very bytes, the timestamp both ways and replays; a second HMAC is work before
      // every ack and adds nothing.
      signatureVerification: false,
    });
    app = new App({
      token: options.botToken,
      receiver,
      clientOptions,
      logger: boltLogger,
      ...identity,
    });
  } else {
    app = new App({
      token: options.botToken,
      appToken: options.mode.appToken,
      socketMode: true,
      clientOptions,
      logger: boltLogger,
      ...identity,
    });
  }

  // The workspace the app is installed in, asked once (again after a failure).
  let installed: Promise<Installation | undefined> | undefined;
  const installation = () => {
    installed ??= options.installation
      ? Promise.resolve(options.installation)
      : app.client.auth.test().then(
          (answer) => ({
            ...(typeof answer.team_id === 'string' ? { teamId: answer.team_id } : {}),
            ...(typeof answer.enterprise_id === 'string' && answer.enterprise_id
              ? { enterpriseId: answer.enterprise_id }
              : {}),
          }),
          (error: unknown) => {
            installed = undefined;
            log.error({ err: error }, 'auth.test failed: the workspace of this app is unknown');
            return undefined;
          },
        );
    return installed;
  };
  app.use(sameWorkspaceOnly(installation, log));
  registerListeners(app, createSlackContext(runtime, log));
  app.error(async (error) => {
    log.error({ err: error }, 'slack listener failed');
  });

  const listener: RequestListener | undefined =
    receiver && options.mode.kind === 'http'
      ? guardSlackRequests(receiver.requestListener, {
          signingSecret: options.mode.signingSecret,
          replays: runtime.store.replays,
          log,
        })
      : undefined;
  return {
    app,
    client: app.client,
    ...(listener ? { listener } : {}),
    async start() {
      if (options.mode.kind === 'socket') await app.start();
    },
    async stop() {
      if (options.mode.kind === 'socket') await app.stop();
    },
  };
}

/** Bolt's logger interface over our pino logger. */
function boltLog(log: Logger) {
  const child = log.child({ component: 'slack' });
  let level = LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => child.debug(msg.map(String).join(' ')),
    info: (...msg: unknown[]) => child.info(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => child.error(msg.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
