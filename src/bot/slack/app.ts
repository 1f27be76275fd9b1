import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import { pipelineNameFromArn } from '../../notifications/execution-state.js';
import type { Runtime } from '../../runtime.js';
import { previewSchedule, type SchedulePreview } from '../../scheduling/expression/index.js';
import type { ApprovalRequest, Store } from '../../store/store.js';
import { type Command, parseCommand } from '../commands/grammar.js';
import type { Reply } from '../commands/replies.js';
import { runCommand } from '../commands/run-command.js';
import { ids } from '../ids.js';
import {
  approvalMessage,
  type Decision,
  decidedApprovalMessage,
  decisionNotice,
  parseDecisionValue,
  rejectReasonModal,
} from '../views/approval-message.js';
import { esc } from '../views/kit.js';
import { replyBlocks } from '../views/reply-blocks.js';
import { registerCreateModal } from './create-modal-listeners.js';
import { registerHome } from './home-listeners.js';
import { guardSlackRequests } from './request-guard.js';

export interface SlackAppOptions {
  mode: { kind: 'http'; signingSecret: string } | { kind: 'socket'; appToken: string };
  botToken: string;
  apiUrl?: string;
  runtime: Runtime;
  log: Logger;
  /** Skip auth.test at start (tests); Bolt asks Slack who the bot is otherwise. */
  botIdentity?: { botId: string; botUserId: string };
  /** Tests: never retry a failed Web API call. */
  retries?: number;
  /** The workspace the app is installed in; asked of auth.test when unset. */
  teamId?: string;
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

/** Answers worked on at once after their acks; more wait their turn. */
const AFTER_ACK_CONCURRENCY = 4;

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
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (options.mode.kind === 'http') {
    receiver = new HTTPReceiver({
      signingSecret: options.mode.signingSecret,
      endpoints: '/slack/events',
      logger: boltLogger,
      unhandledRequestTimeoutMillis: 3001,
    });
    app = new App({
      token: options.botToken,
      receiver,
      clientOptions,
      logger: boltLogger,
      ...(options.botIdentity
        ? {
            botId: options.botIdentity.botId,
            botUserId: options.botIdentity.botUserId,
            tokenVerificationEnabled: false,
          }
        : {}),
    });
  } else {
    app = new App({
      token: options.botToken,
      appToken: options.mode.appToken,
      socketMode: true,
      clientOptions,
      logger: boltLogger,
      ...(options.botIdentity
        ? {
            botId: options.botIdentity.botId,
            botUserId: options.botIdentity.botUserId,
            tokenVerificationEnabled: false,
          }
        : {}),
    });
  }

  // Requests from another workspace are not ours to act on, even when correctly signed (an app
  // shared across workspaces, a leaked signing secret used elsewhere).
  let installationTeam: Promise<string | undefined> | undefined;
  const ourTeam = () => {
    installationTeam ??= options.teamId
      ? Promise.resolve(options.teamId)
      : app.client.auth.test().then(
          (answer) => (typeof answer.team_id === 'string' ? answer.team_id : undefined),
          (error: unknown) => {
            installationTeam = undefined;
            log.error({ err: error }, 'auth.test failed: the workspace of this app is unknown');
            return undefined;
          },
        );
    return installationTeam;
  };
  app.use(async ({ context, body, next, ack }) => {
    const theirs = context.teamId ?? teamOf(body);
    const ours = await ourTeam();
    if (ours !== undefined && theirs === ours) {
      await next();
      return;
    }
    log.warn({ team: theirs, installation: ours }, 'slack request from another workspace ignored');
    if (ack) await (ack as () => Promise<void>)();
  });

  const afterAck = new AfterAckQueue(AFTER_ACK_CONCURRENCY);
  const timeZones = new Map<string, { at: number; tz?: string }>();
  const userTimeZone = async (client: WebClient, userId: string): Promise<string | undefined> => {
    const cached = timeZones.get(userId);
    if (cached && Date.now() - cached.at < 3_600_000) return cached.tz;
    const info = await client.users.info({ user: userId }).catch(() => undefined);
    const tz = info?.user?.tz;
    timeZones.set(userId, { at: Date.now(), ...(tz ? { tz } : {}) });
    return tz;
  };

  const showDecision = (
    client: WebClient,
    request: ApprovalRequest,
    decision: Decision | string,
    decidedBy: string,
  ) => showApprovalDecision({ client, store: runtime.store, log }, request, decision, decidedBy);

  /** Runs a command as this person, from this channel, and posts what needs posting. */
  const run = async (
    client: WebClient,
    command: Command,
    userId: string,
    channelId?: string,
  ): Promise<Reply> => {
    const reply = await runCommand(command, {
      ...runtime.commandDeps(userId, channelId),
      requestId: randomUUID(),
    });
    if (reply.kind === 'approval-requested') {
      const channel = reply.approvalChannel ?? channelId;
      if (channel) {
        const payload = JSON.parse(reply.request.payload) as { text: string; command: Command };
        const shown = approvalMessage(reply.request, {
          text: payload.text,
          ...previewOf(payload.command),
        });
        const posted = await client.chat
          .postMessage({ channel, ...shown })
          .catch((error: unknown) => {
            log.error(
              { err: error, requestId: reply.request.id, channel },
              'posting the approval request failed; is the bot in the approval channel?',
            );
            return undefined;
          });
        // Remembered so a decision made anywhere (button, command) updates this message.
        if (posted?.ts)
          await runtime.store.messages.put(`approval:${reply.request.id}`, {
            channel: posted.channel ?? channel,
            ts: posted.ts,
          });
      }
    }
    if (reply.kind === 'approval-decided')
      await showDecision(client, reply.request, reply.summary, userId);
    return reply;
  };

  app.command(ids.command, async ({ command, ack, respond, client }) => {
    const parsed = parseCommand(command.text);
    if (parsed.ok && parsed.command.name === 'create-interactive') {
      await ack();
      await openCreateModal(client, command.trigger_id, command.user_id, command.channel_id);
      return;
    }
    // Slack allows three seconds: acknowledge now, answer through response_url.
    await ack();
    await afterAck.run(async () => {
      const reply: Reply = parsed.ok
        ? await run(client, parsed.command, command.user_id, command.channel_id)
        : {
            kind: 'error',
            message: parsed.message,
            ...(parsed.usage ? { usage: parsed.usage } : {}),
            exitCode: 2,
          };
      const tz = await userTimeZone(client, command.user_id);
      await respond({
        response_type: 'ephemeral',
        ...replyBlocks(reply, tz ? { userTimeZone: tz } : {}),
      });
    });
  });

  // Buttons on replies and the Home tab: each runs the command it stands for, as the clicker.
  const buttons: Array<[string, (value: string) => Command]> = [
    [ids.actions.pause, (trigger) => ({ name: 'pause', trigger, dryRun: false })],
    [ids.actions.resume, (trigger) => ({ name: 'resume', trigger, dryRun: false })],
    [ids.actions.delete, (trigger) => ({ name: 'delete', trigger, dryRun: false })],
    [ids.actions.describe, (trigger) => ({ name: 'describe', trigger })],
    [
      ids.actions.runPipeline,
      (pipeline) => ({ name: 'run', pipeline, parameters: [], dryRun: false }),
    ],
    [ids.actions.cleanUpOrphans, () => ({ name: 'orphans', clean: true, dryRun: false })],
  ];
  for (const [actionId, toCommand] of buttons) {
    app.action(actionId, async ({ ack, body, action, respond, client }) => {
      await ack();
      await afterPendingAcks();
      const reply = await run(
        client,
        toCommand(actionValue(action)),
        body.user.id,
        channelOf(body),
      );
      const tz = await userTimeZone(client, body.user.id);
      const rendered = replyBlocks(reply, tz ? { userTimeZone: tz } : {});
      if (respond && 'response_url' in body)
        await respond({ response_type: 'ephemeral', replace_original: false, ...rendered });
      else await postToUser(client, body.user.id, rendered);
    });
  }
  app.action(ids.actions.runNow, async ({ ack, body, action, respond, client }) => {
    await ack();
    const trigger = actionValue(action);
    const channelId = channelOf(body);
    // Run now starts the trigger's pipeline with the trigger's own parameters.
    const described = await runtime.service.describe(trigger);
    const reply: Reply =
      described.ok && described.value.kind === 'schedule'
        ? await run(
            client,
            {
              name: 'run',
              pipeline: described.value.trigger.pipelineName,
              parameters: described.value.trigger.parameters,
              dryRun: false,
            },
            body.user.id,
            channelId,
          )
        : {
            kind: 'error',
            message: described.ok
              ? `${trigger} is a rule: it runs when its event arrives`
              : described.error.message,
            exitCode: 2,
          };
    const rendered = replyBlocks(reply);
    if (respond)
      await respond({ response_type: 'ephemeral', replace_original: false, ...rendered });
  });

  // Run again, from an execution message: the same pipeline with that execution's parameters.
  app.action(ids.actions.rerunExecution, async ({ ack, body, action, respond, client }) => {
    await ack();
    const arn = actionValue(action);
    const execution = await runtime.backend.pipelines.describeExecution(arn).catch(() => undefined);
    const reply: Reply = execution
      ? await run(
          client,
          {
            name: 'run',
            pipeline: pipelineNameFromArn(execution.pipelineArn),
            parameters: execution.parameters,
            dryRun: false,
          },
          body.user.id,
          channelOf(body),
        )
      : { kind: 'error', message: `execution ${arn} is not known any more`, exitCode: 2 };
    if (respond)
      await respond({ response_type: 'ephemeral', replace_original: false, ...replyBlocks(reply) });
  });
  app.action(ids.actions.openExecution, async ({ ack }) => {
    // A link button: Slack opens the URL; the click still needs an answer.
    await ack();
  });

  // Approval buttons: the value is `<request id>|<content hash>`, so an approval counts only for
  // the content the approver saw; a value without the hash is refused, not taken as "any".
  app.action(ids.actions.approve, async ({ ack, body, action, respond, client }) => {
    const value = parseDecisionValue(actionValue(action));
    // Recorded before the ack: a click Slack was told we got survives a crash right after it.
    const clickId = value
      ? await runtime.access.workflow.recordClick({
          requestId: value.requestId,
          userId: body.user.id,
          contentHash: value.contentHash,
          ...(body.team?.id ? { teamId: body.team.id } : {}),
        })
      : undefined;
    await ack();
    if (!value) {
      log.warn({ user: body.user.id }, 'approve click without a content hash refused');
      if (respond)
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: 'this Approve button is not one the bot posted; approve from the request message',
        });
      return;
    }
    const result = await runtime.access.workflow.approve(
      value.requestId,
      body.user.id,
      value.contentHash,
      clickId ? { clickId } : {},
    );
    if (!result.ok) {
      if (respond)
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: esc(result.error.message),
        });
      return;
    }
    const decided = result.value;
    if (decided.status === 'PENDING') {
      if (respond)
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: `approval recorded: ${decided.approvals} of ${decided.required}`,
        });
      return;
    }
    // The clicked message is the one to update, even if it was posted before locations were kept.
    if ('message' in body && body.message && body.channel?.id) {
      await runtime.store.messages.put(`approval:${decided.request.id}`, {
        channel: body.channel.id,
        ts: body.message.ts,
      });
    }
    await showDecision(
      client,
      decided.request,
      { what: 'approved', by: body.user.id, detail: decided.outcome.summary },
      body.user.id,
    );
  });

  app.action(ids.actions.reject, async ({ ack, body, action, client }) => {
    await ack();
    const value = parseDecisionValue(actionValue(action));
    if (!value) return;
    const view = rejectReasonModal(value.requestId, value.contentHash);
    // Remember where the request's message is, to update it once the reason is given.
    const where =
      'message' in body && body.message ? { channel: body.channel?.id, ts: body.message.ts } : {};
    view.private_metadata = JSON.stringify({ ...parseJson(view.private_metadata), ...where });
    if ('trigger_id' in body && body.trigger_id)
      await client.views.open({ trigger_id: body.trigger_id, view });
  });

  app.view(ids.views.rejectReason, async ({ ack, body, view, client }) => {
    const meta = parseJson(view.private_metadata) as {
      requestId?: string;
      id?: string;
      channel?: string;
      ts?: string;
    };
    const requestId = meta.requestId ?? meta.id ?? '';
    const reason =
      view.state.values[ids.rejectReason.block]?.[ids.rejectReason.action]?.value ?? undefined;
    const result = await runtime.access.workflow.reject(
      requestId,
      body.user.id,
      reason ?? undefined,
    );
    if (!result.ok) {
      await ack({
        response_action: 'errors',
        errors: { [ids.rejectReason.block]: result.error.message },
      });
      return;
    }
    await ack();
    const decision: Decision = {
      what: 'rejected',
      by: body.user.id,
      detail: result.value.reason ?? 'no reason given',
    };
    if (meta.channel && meta.ts)
      await runtime.store.messages.put(`approval:${result.value.id}`, {
        channel: meta.channel,
        ts: meta.ts,
      });
    await showDecision(client, result.value, decision, body.user.id);
  });

  const openCreateModal = registerCreateModal(app, { runtime, log, userTimeZone, run, postToUser });
  registerHome(app, { runtime, log, openCreateModal });

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

/**
 * Lets requests that arrived meanwhile be acknowledged before this one's work runs: the work
 * (store reads, AWS calls) can wait a moment, Slack's three seconds cannot.
 */
function afterPendingAcks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Work that follows an acknowledgement runs a few at a time, behind any acknowledgement
 * waiting: under a burst, acks come first and answers follow, instead of every answer's store
 * reads and Web API calls delaying every other ack.
 */
class AfterAckQueue {
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
  deps: { client: WebClient; store: Pick<Store, 'messages'>; log: Logger },
  request: ApprovalRequest,
  decision: Decision | string,
  decidedBy: string,
): Promise<void> {
  const location = await deps.store.messages.get(`approval:${request.id}`);
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

/** A message to someone, in their DM with the bot. */
async function postToUser(
  client: WebClient,
  userId: string,
  message: { text: string; blocks?: unknown[] },
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

/** The workspace a request says it comes from, wherever its kind of payload puts it. */
function teamOf(body: unknown): string | undefined {
  const b = body as {
    team?: { id?: unknown } | null;
    team_id?: unknown;
    user?: { team_id?: unknown };
  };
  const id = b.team?.id ?? b.team_id ?? b.user?.team_id;
  return typeof id === 'string' ? id : undefined;
}

/** The value of the clicked button ('' when it has none). */
function actionValue(action: unknown): string {
  const value = (action as { value?: unknown }).value;
  return typeof value === 'string' ? value : '';
}

/** The channel a click came from, for channel-scoped policy rules. */
function channelOf(body: unknown): string | undefined {
  const channel = (body as { channel?: { id?: unknown } }).channel;
  return typeof channel?.id === 'string' ? channel.id : undefined;
}

function parseJson(text: string | undefined): Record<string, unknown> {
  try {
    return JSON.parse(text ?? '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
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

export type { PostToUser };

type PostToUser = typeof postToUser;
