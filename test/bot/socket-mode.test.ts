import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../src/bot/ids.js';
import { createSlackApp, type SlackApp } from '../../src/bot/slack/app.js';
import { FakeSlack } from '../support/fake-slack.js';
import { FakeSocketMode } from '../support/fake-socket-mode.js';
import { type RuntimeHarness, startRuntime } from '../support/runtime-harness.js';
import { createSubmission, e2ePipelines, e2ePolicy, formValues } from '../support/slack-harness.js';

/**
 * The real Bolt app in Socket Mode, built as the service builds it, on the local back end. Slack
 * is faked twice over: the Web API (which hands out the WebSocket URL) and the Socket Mode
 * servers, which deliver envelopes and wait for the app's acks over the socket.
 */
const policy = e2ePolicy;
const pipelines = e2ePipelines;

const APP_TOKEN = 'xapp-1-A0APP-1-test';
const BOT_TOKEN = 'xoxb-test';

let slack: FakeSlack;
let socketMode: FakeSocketMode;
let harness: RuntimeHarness;
let bot: SlackApp;
/** Warnings and errors a test causes on purpose; any other one fails it. */
let expectedTrouble: RegExp | undefined;

beforeEach(async () => {
  expectedTrouble = undefined;
  slack = await FakeSlack.start();
  socketMode = await FakeSocketMode.start();
  slack.socketModeUrl = () => socketMode.nextUrl();
  slack.users = { U0ALICE: { tz: 'Europe/Berlin' }, U0LEAD1: { tz: 'America/New_York' } };
  harness = await startRuntime({ policy, pipelines, logs: true });
  bot = createSlackApp({
    mode: { kind: 'socket', appToken: APP_TOKEN },
    botToken: BOT_TOKEN,
    apiUrl: slack.apiUrl,
    runtime: harness.runtime,
    log: harness.log,
    botIdentity: { botId: 'B0BOT', botUserId: 'U0BOT' },
    installation: { teamId: 'T0TEAM' },
    retries: 0,
  });
  await bot.start();
});

afterEach(async () => {
  // Stop the client first: it reconnects on its own whenever its socket closes.
  await bot.stop();
  await socketMode.waitForNoConnection();
  await socketMode.close();
  await harness.close();
  await slack.close();
  // A listener that failed after its ack shows only in the log (pino: 40 warn, 50 error).
  const troubles = harness.logs.filter(
    (line) => Number(line.level) >= 40 && !expectedTrouble?.test(String(line.msg)),
  );
  expect(troubles).toEqual([]);
});

/** The fields of a slash command, as Slack puts them in a `slash_commands` envelope. */
const slashCommand = (user: string, text: string, responseId = 'cmd') => ({
  token: 'legacy',
  team_id: 'T0TEAM',
  team_domain: 'acme',
  channel_id: 'C0MLOPS',
  channel_name: 'ml-ops',
  user_id: user,
  user_name: user.toLowerCase(),
  command: '/pipeline-schedule',
  text,
  api_app_id: 'A0APP',
  is_enterprise_install: 'false',
  response_url: slack.responseUrl(responseId),
  trigger_id: `trigger-${responseId}`,
});

/** The text and blocks of the newest reply through a response_url. */
const replyText = async (responseId: string) => {
  await slack.waitFor(`respond:${responseId}`);
  const reply = slack.callsTo(`respond:${responseId}`).at(-1)?.args;
  return `${String(reply?.text ?? '')}\n${JSON.stringify(reply?.blocks ?? [])}`;
};

/** The value of the Approve button on the request posted in the approval channel. */
const approveButtonValue = () => {
  const posted = slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0APPROVALS');
  const buttons = (
    (posted?.args.blocks ?? []) as Array<{
      elements?: Array<{ action_id?: string; value?: string }>;
    }>
  ).flatMap((block) => block.elements ?? []);
  return buttons.find((element) => element.action_id === ids.actions.approve)?.value ?? '';
};

describe('the bot in Socket Mode', () => {
  it('connects with the app-level token to the URL Slack hands out', () => {
    const opened = slack.callsTo('apps.connections.open');
    expect(opened).toHaveLength(1);
    // The app-level token opens the socket; the bot token is for everything else.
    expect(opened[0]?.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expect(socketMode.connections.map((c) => c.ticket)).toEqual(['ticket-1']);
  });

  it('acknowledges a slash command over the socket, then answers through its response_url', async () => {
    const ack = await socketMode.slashCommand(slashCommand('U0ALICE', 'help'));
    // A plain ack: the answer comes after, so the three seconds never run out.
    expect(ack.payload ?? {}).toEqual({});
    await slack.waitFor('respond:cmd');
    expect(slack.callsTo('respond:cmd')[0]?.args).toMatchObject({ response_type: 'ephemeral' });
    expect(await replyText('cmd')).toContain('create');

    await socketMode.slashCommand(slashCommand('U0ALICE', 'list', 'list'));
    expect(await replyText('list')).toContain('no triggers yet');
  });

  it('takes the create modal: errors go back in the ack, a good submission asks for approval', async () => {
    await socketMode.slashCommand(slashCommand('U0ALICE', 'create', 'create'));
    await slack.waitFor('views.open');
    expect(slack.callsTo('views.open')[0]?.args.trigger_id).toBe('trigger-create');
    await slack.waitFor('views.update');
    const modal = slack.callsTo('views.update')[0]?.args.view as { private_metadata: string };

    const values = (expression: string) => ({
      ...formValues.selected(ids.create.triggerType, 'cron'),
      ...formValues.selected(ids.create.pipeline, 'prod-churn', 'external_select'),
      ...formValues.typed(ids.create.expression, expression),
      ...formValues.selected(ids.create.timeZone, 'Europe/Berlin', 'external_select'),
      ...formValues.selected(ids.create.role, 'prod'),
      ...formValues.typed(ids.create.name, 'prod-weekdays'),
    });
    const submit = (expression: string) =>
      socketMode.interactive(
        createSubmission('U0ALICE', values(expression), modal.private_metadata) as Record<
          string,
          unknown
        >,
      );

    // In Socket Mode the modal's answer travels in the ack's payload.
    const invalid = await submit('cron(0 8 ? * 8 *)');
    expect(invalid.payload).toEqual({
      response_action: 'errors',
      errors: { [ids.create.expression.block]: 'day-of-week: 8 is out of range 1-7 (1 = Sunday)' },
    });

    const valid = await submit('cron(0 8 ? * MON-FRI *)');
    expect(valid.payload ?? {}).toEqual({});
    await slack.waitFor('chat.postMessage', 2);
    const request = slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0APPROVALS');
    expect(JSON.stringify(request?.args.blocks)).toContain(
      'at 08:00, Monday through Friday, Europe/Berlin',
    );
    const [requestId] = approveButtonValue().split('|');
    expect(requestId).toMatch(/^req-[0-9a-f-]{36}$/);
    // The requester hears in a DM that it waits for an approver.
    const dm = slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'D0ALICE');
    expect(String(dm?.args.text)).toBe(`request ${requestId} needs an approval from *approvers*`);
    // Nothing is created before an approver says so.
    expect(await harness.runtime.service.list()).toMatchObject({ ok: true, value: { items: [] } });
  });

  it('acknowledges an Approve click over the socket and creates the approved schedule', async () => {
    await socketMode.slashCommand(
      slashCommand('U0ALICE', "create prod-churn 'rate(1 day)' name=prod-daily role=prod", 'ask'),
    );
    await slack.waitFor('chat.postMessage');
    const value = approveButtonValue();
    expect(value).not.toBe('');

    const ack = await socketMode.interactive({
      type: 'block_actions',
      team: { id: 'T0TEAM', domain: 'acme' },
      user: { id: 'U0LEAD1', team_id: 'T0TEAM' },
      api_app_id: 'A0APP',
      token: 'legacy',
      trigger_id: 'trigger-approve',
      channel: { id: 'C0APPROVALS', name: 'approvals' },
      container: { type: 'message', message_ts: '1700000001.000100', channel_id: 'C0APPROVALS' },
      message: { ts: '1700000001.000100', text: 'request' },
      response_url: slack.responseUrl('approve'),
      actions: [
        {
          type: 'button',
          action_id: ids.actions.approve,
          block_id: 'approval_actions_0',
          value,
          action_ts: '1',
        },
      ],
    });
    expect(ack.payload ?? {}).toEqual({});

    // The request message is updated in place, without its buttons, and the schedule exists.
    await slack.waitFor('chat.update');
    const updated = slack.callsTo('chat.update')[0]?.args;
    expect(updated).toMatchObject({ channel: 'C0APPROVALS', ts: '1700000001.000100' });
    expect(JSON.stringify(updated?.blocks)).not.toContain(ids.actions.approve);
    const list = await harness.runtime.service.list();
    expect(list.ok && list.value.items.map((item) => item.name)).toEqual(['prod-daily']);
    await slack.waitFor('chat.postMessage', 2);
    expect(String(slack.callsTo('chat.postMessage').at(-1)?.args.text)).toMatch(
      /approved by <@U0LEAD1>: created schedule prod-daily/,
    );
  });

  it('publishes App Home when an app_home_opened event arrives over the socket', async () => {
    const ack = await socketMode.event({
      token: 'legacy',
      team_id: 'T0TEAM',
      api_app_id: 'A0APP',
      type: 'event_callback',
      event_id: 'Ev1',
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: 'T0TEAM', user_id: 'U0BOT', is_bot: true }],
      event: { type: 'app_home_opened', user: 'U0LEAD1', channel: 'D0LEAD1', tab: 'home' },
    });
    expect(ack.payload ?? {}).toEqual({});
    await slack.waitFor('views.publish');
    expect(slack.callsTo('views.publish')[0]?.args).toMatchObject({
      user_id: 'U0LEAD1',
      view: { type: 'home' },
    });
  });

  // Each reconnect takes about five seconds: the client's own back-off before a new URL.
  it('reconnects when Slack asks it to refresh, and keeps answering commands', async () => {
    socketMode.askToReconnect();
    await socketMode.waitForConnections(2);
    expect(slack.callsTo('apps.connections.open')).toHaveLength(2);
    expect(socketMode.connections.map((c) => [c.ticket, c.closed])).toEqual([
      ['ticket-1', true],
      ['ticket-2', false],
    ]);

    const ack = await socketMode.slashCommand(slashCommand('U0ALICE', 'help', 'after'));
    expect(ack.payload ?? {}).toEqual({});
    expect(await replyText('after')).toContain('create');
  }, 20_000);

  it('reconnects after the connection drops without a goodbye', async () => {
    socketMode.dropConnection();
    await socketMode.waitForConnections(2);
    expect(slack.callsTo('apps.connections.open')).toHaveLength(2);
    expect(socketMode.current?.ticket).toBe('ticket-2');
    // The client logs the lost socket as an error, then carries on.
    expectedTrouble = /^WebSocket error/;
    expect(harness.logs.some((line) => expectedTrouble?.test(String(line.msg)))).toBe(true);

    await socketMode.slashCommand(slashCommand('U0ALICE', 'help', 'after'));
    expect(await replyText('after')).toContain('create');
  }, 20_000);
});
