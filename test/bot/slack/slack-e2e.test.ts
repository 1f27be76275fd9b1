import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ids } from '../../../src/bot/ids.js';
import type { Runtime } from '../../../src/runtime.js';
import { type FakeSlack, postSigned } from '../../support/fake-slack.js';
import {
  createSubmission,
  e2ePipelines,
  e2ePolicy,
  formValues,
  pipelineChosen,
  SIGNING_SECRET as SECRET,
  type SlackHarness,
  startSlackHarness,
} from '../../support/slack-harness.js';

/**
 * The real Bolt app over real HTTP, with Slack's signatures, on the local back end; Slack's own
 * servers are the only thing faked (a recording Web API and response_urls on loopback).
 */
const policy = e2ePolicy;
const pipelines = e2ePipelines;

let h: SlackHarness;
let slack: FakeSlack;
let runtime: Runtime;
let url = '';

beforeEach(async () => {
  h = await startSlackHarness({ policy, pipelines });
  ({ slack, runtime, url } = h);
  slack.users = { U0ALICE: { tz: 'Europe/Berlin' }, U0LEAD1: { tz: 'America/New_York' } };
});

afterEach(async () => {
  await h.close();
});

const command = (user: string, text: string, responseId = 'cmd') =>
  new URLSearchParams({
    command: '/pipeline-schedule',
    text,
    user_id: user,
    user_name: user.toLowerCase(),
    channel_id: 'C0MLOPS',
    channel_name: 'ml-ops',
    team_id: 'T0TEAM',
    team_domain: 'acme',
    api_app_id: 'A0APP',
    trigger_id: `trigger-${Math.random()}`,
    response_url: slack.responseUrl(responseId),
    token: 'legacy',
  }).toString();

const interaction = (payload: object) =>
  new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

/** `user` clicks a button in #ml-ops; its answer goes to the response_url named `responseId`. */
const click = (
  user: string,
  button: { action_id: string; value?: string | undefined; block_id: string },
  responseId: string,
  triggerId = 't',
) =>
  postSigned(
    url,
    SECRET,
    interaction({
      type: 'block_actions',
      team: { id: 'T0TEAM' },
      user: { id: user },
      api_app_id: 'A0APP',
      trigger_id: triggerId,
      channel: { id: 'C0MLOPS' },
      response_url: slack.responseUrl(responseId),
      actions: [{ type: 'button', ...button, action_ts: '1' }],
    }),
  );

describe('requests from Slack', () => {
  it('refuses a bad signature, a stale timestamp and one from the future with 401, running nothing', async () => {
    const body = command('U0ALICE', 'list');
    expect((await postSigned(url, 'wrong-secret', body)).status).toBe(401);
    expect(
      (await postSigned(url, SECRET, body, { timestamp: Math.floor(Date.now() / 1000) - 600 }))
        .status,
    ).toBe(401);
    expect(
      (await postSigned(url, SECRET, body, { timestamp: Math.floor(Date.now() / 1000) + 600 }))
        .status,
    ).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(slack.calls).toEqual([]);
  });

  it('answers a command ephemerally through its response_url, after acknowledging at once', async () => {
    const started = Date.now();
    const response = await postSigned(url, SECRET, command('U0ALICE', 'help'));
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    await slack.waitFor('respond:cmd');
    const [reply] = slack.callsTo('respond:cmd');
    expect(reply?.args).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(reply?.args.blocks)).toContain('create');
  });

  it('gives the usage for an unknown command', async () => {
    await postSigned(url, SECRET, command('U0ALICE', 'frobnicate'));
    await slack.waitFor('respond:cmd');
    expect(String(slack.callsTo('respond:cmd')[0]?.args.text)).toMatch(
      /unknown command "frobnicate"/,
    );
  });

  it('takes a request through the modal, an approval in the channel, and back to the requester', async () => {
    // 1. /pipeline-schedule create opens the modal at once, then fills it in.
    expect((await postSigned(url, SECRET, command('U0ALICE', 'create'))).status).toBe(200);
    await slack.waitFor('views.update');
    expect(slack.callsTo('views.open')[0]?.args.trigger_id).toMatch(/^trigger-/);
    const modal = slack.callsTo('views.update')[0]?.args.view as {
      callback_id: string;
      private_metadata: string;
    };
    expect(modal.callback_id).toBe(ids.views.create);

    // 2. The requester submits: errors come back beside the field that caused them.
    const values = (expression: string) => ({
      ...formValues.selected(ids.create.triggerType, 'cron'),
      ...formValues.selected(ids.create.pipeline, 'prod-churn', 'external_select'),
      ...formValues.typed(ids.create.expression, expression),
      ...formValues.selected(ids.create.timeZone, 'Europe/Berlin', 'external_select'),
      ...formValues.selected(ids.create.role, 'prod'),
      ...formValues.typed(ids.create.name, 'prod-weekdays'),
    });
    const submit = (expression: string) =>
      postSigned(
        url,
        SECRET,
        interaction(createSubmission('U0ALICE', values(expression), modal.private_metadata)),
      );
    const invalid = await submit('cron(0 8 ? * 8 *)');
    expect(await invalid.json()).toEqual({
      response_action: 'errors',
      errors: { [ids.create.expression.block]: 'day-of-week: 8 is out of range 1-7 (1 = Sunday)' },
    });
    const valid = await submit('cron(0 8 ? * MON-FRI *)');
    expect(valid.status).toBe(200);
    expect(await valid.text()).toBe('');

    // 3. The request is posted in the approval channel with Approve and Reject.
    await slack.waitFor('chat.postMessage', 2);
    const posted = slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0APPROVALS');
    const buttons = (
      (posted?.args.blocks ?? []) as Array<{
        elements?: Array<{ action_id?: string; value?: string }>;
      }>
    ).flatMap((block) => block.elements ?? []);
    const value = buttons.find((element) => element.action_id === ids.actions.approve)?.value ?? '';
    expect(value).toMatch(/^req-[0-9a-f-]{36}\|[0-9a-f]{64}$/);
    expect(JSON.stringify(posted?.args.blocks)).toContain('prod-churn');
    // Approvers see what the schedule will do, not only the expression.
    expect(JSON.stringify(posted?.args.blocks)).toContain(
      'at 08:00, Monday through Friday, Europe/Berlin',
    );
    expect(await runtime.service.list()).toMatchObject({ ok: true, value: { items: [] } });

    // 4. Another person approves; the schedule is created, the message updated in place.
    const approved = await postSigned(
      url,
      SECRET,
      interaction({
        type: 'block_actions',
        team: { id: 'T0TEAM' },
        user: { id: 'U0LEAD1' },
        api_app_id: 'A0APP',
        trigger_id: 'trigger-approve',
        channel: { id: 'C0APPROVALS' },
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
      }),
    );
    expect(approved.status).toBe(200);
    await slack.waitFor('chat.update');
    const updated = slack.callsTo('chat.update')[0]?.args;
    expect(updated).toMatchObject({ channel: 'C0APPROVALS', ts: '1700000001.000100' });
    expect(JSON.stringify(updated?.blocks)).not.toContain('request_approve');
    const list = await runtime.service.list();
    expect(list.ok && list.value.items.map((i) => i.name)).toEqual(['prod-weekdays']);
    const described = await runtime.service.describe('prod-weekdays');
    expect(described.ok && described.value.trigger.roleArn).toBe(
      'arn:aws:iam::123456789012:role/PipelineSchedulerProd',
    );

    // 5. The requester hears the outcome in a DM.
    await slack.waitFor('chat.postMessage', 3);
    const dm = slack.callsTo('chat.postMessage').at(-1)?.args;
    expect(dm?.channel).toBe('D0ALICE');
    expect(String(dm?.text)).toMatch(/approved by <@U0LEAD1>: created schedule prod-weekdays/);
  });

  it('updates the approval message in place when the decision is typed as a command', async () => {
    await postSigned(
      url,
      SECRET,
      command('U0ALICE', "create prod-churn 'rate(1 day)' name=prod-daily role=prod", 'ask'),
    );
    await slack.waitFor('chat.postMessage');
    const posted = slack.callsTo('chat.postMessage')[0];
    expect(posted?.args.channel).toBe('C0APPROVALS');
    await slack.waitFor('respond:ask');
    const id =
      /req-[0-9a-f-]{36}/.exec(JSON.stringify(slack.callsTo('respond:ask')[0]?.args))?.[0] ?? '';
    await postSigned(
      url,
      SECRET,
      command('U0LEAD1', `reject ${id} not before the freeze ends`, 'decide'),
    );
    await slack.waitFor('chat.update');
    const updated = slack.callsTo('chat.update')[0]?.args;
    expect(updated?.channel).toBe('C0APPROVALS');
    expect(JSON.stringify(updated?.blocks)).toContain('not before the freeze ends');
    expect(JSON.stringify(updated?.blocks)).not.toContain('request_approve');
    await slack.waitFor('chat.postMessage', 2);
    expect(String(slack.callsTo('chat.postMessage').at(-1)?.args.text)).toMatch(
      /is rejected: rejected by <@U0LEAD1>: not before the freeze ends/,
    );
  });

  it('shows the approver an update as a diff: before → after, and the next runs of both', async () => {
    // The schedule exists (made by an approved request earlier); changing it needs approval too.
    await h.runtime.service.createSchedule(
      {
        pipeline: 'prod-churn',
        expression: 'cron(0 8 ? * MON-FRI *)',
        name: 'prod-weekdays',
        timeZone: 'Europe/Berlin',
        roleArn: 'arn:aws:iam::123456789012:role/PipelineSchedulerProd',
      },
      { requestId: 'seed', allowedRoles: 'any' },
    );
    await postSigned(
      url,
      SECRET,
      command('U0ALICE', "update prod-weekdays 'cron(30 6 ? * MON-FRI *)' param:Epochs=20", 'ask'),
    );
    await slack.waitFor('chat.postMessage');
    const posted = slack.callsTo('chat.postMessage')[0]?.args;
    expect(posted?.channel).toBe('C0APPROVALS');
    const shown = JSON.stringify(posted?.blocks);
    expect(shown).toContain('Approval needed: update prod-weekdays');
    expect(shown).toContain(
      '• *expression*: `cron(0 8 ? * MON-FRI *)` → `cron(30 6 ? * MON-FRI *)`',
    );
    expect(shown).toContain('• *param:Epochs*: _not set_ → `20`');
    expect(shown).toContain('Next runs before');
    expect(shown).toContain('Next runs after');
    // The requester is told what waits, with the same diff.
    await slack.waitFor('respond:ask');
    const told = JSON.stringify(slack.callsTo('respond:ask')[0]?.args.blocks);
    expect(told).toContain('*What it changes*');
    expect(told).toContain('• *param:Epochs*: _not set_ → `20`');
    // Nothing changes before the approval.
    const described = await h.runtime.service.describe('prod-weekdays');
    expect(
      described.ok &&
        described.value.trigger.kind === 'schedule' &&
        described.value.trigger.expression,
    ).toBe('cron(0 8 ? * MON-FRI *)');
  });

  it('edits a trigger in place from its Edit button: the form prefilled, only what changed sent', async () => {
    await runtime.service.createSchedule(
      {
        pipeline: 'dev-churn',
        expression: 'cron(0 8 ? * MON-FRI *)',
        name: 'dev-weekdays',
        timeZone: 'Europe/Berlin',
        flexibleWindowMinutes: 15,
        roleArn: 'arn:aws:iam::123456789012:role/PipelineSchedulerDev',
      },
      { requestId: 'seed', allowedRoles: 'any', userId: 'U0ALICE' },
    );
    await postSigned(url, SECRET, command('U0ALICE', 'describe dev-weekdays', 'details'));
    await slack.waitFor('respond:details');
    expect(JSON.stringify(slack.callsTo('respond:details')[0]?.args.blocks)).toContain(
      `"action_id":"${ids.actions.edit}"`,
    );
    await click(
      'U0ALICE',
      { action_id: ids.actions.edit, block_id: 'trigger_actions_0', value: 'dev-weekdays' },
      'edit',
      'trigger-edit',
    );
    await slack.waitFor('views.update');
    const modal = slack.callsTo('views.update')[0]?.args.view as {
      title: { text: string };
      private_metadata: string;
      blocks: Array<{ block_id?: string; element?: Record<string, unknown> }>;
    };
    expect(modal.title.text).toBe('Edit trigger');
    const element = (id: { block: string }) =>
      modal.blocks.find((b) => b.block_id === id.block)?.element;
    // Prefilled with the trigger as it is; the pipeline and the name are not the form's to change.
    expect(element(ids.create.expression)).toMatchObject({
      initial_value: 'cron(0 8 ? * MON-FRI *)',
    });
    expect(element(ids.create.timeZone)).toMatchObject({
      initial_option: { value: 'Europe/Berlin' },
    });
    expect(element(ids.create.window)).toMatchObject({ initial_value: '15' });
    expect(element(ids.create.role)).toMatchObject({ initial_option: { value: 'dev' } });
    expect(element(ids.create.pipeline)).toBeUndefined();
    expect(element(ids.create.name)).toBeUndefined();

    const submit = (expression: string) =>
      postSigned(
        url,
        SECRET,
        interaction(
          createSubmission(
            'U0ALICE',
            {
              ...formValues.selected(ids.create.triggerType, 'cron', 'radio_buttons'),
              ...formValues.typed(ids.create.expression, expression),
              ...formValues.selected(ids.create.timeZone, 'Europe/Berlin', 'external_select'),
              ...formValues.typed(ids.create.window, '15'),
              ...formValues.selected(ids.create.role, 'dev'),
            },
            modal.private_metadata,
          ),
        ),
      );
    const unchanged = await (await submit('cron(0 8 ? * MON-FRI *)')).json();
    expect(JSON.stringify(unchanged)).toContain('nothing is changed yet');
    expect((await submit('cron(30 6 ? * MON-FRI *)')).status).toBe(200);
    await slack.waitFor('chat.postMessage');
    const dm = JSON.stringify(slack.callsTo('chat.postMessage').at(-1)?.args);
    expect(dm).toContain('Updated schedule *dev-weekdays*');
    expect(dm).toContain('`cron(0 8 ? * MON-FRI *)` → `cron(30 6 ? * MON-FRI *)`');
    // Only the expression was sent: the window and the role were not touched.
    expect(dm).not.toContain('flexible window');
    const found = await runtime.service.describe('dev-weekdays');
    expect(
      found.ok && found.value.trigger.kind === 'schedule' && found.value.trigger,
    ).toMatchObject({
      expression: 'cron(30 6 ? * MON-FRI *)',
      flexibleWindowMinutes: 15,
    });
  });

  it('rebuilds the modal in place when a pipeline is chosen: its parameters, the allowed roles, the preview', async () => {
    const response = await postSigned(
      url,
      SECRET,
      interaction(
        pipelineChosen('U0ALICE', 'prod-churn', {
          [ids.create.triggerType.block]: {
            [ids.create.triggerType.action]: {
              type: 'static_select',
              selected_option: { value: 'cron' },
            },
          },
          [ids.create.expression.block]: {
            [ids.create.expression.action]: {
              type: 'plain_text_input',
              value: 'cron(30 2 * * ? *)',
            },
          },
          [ids.create.timeZone.block]: {
            [ids.create.timeZone.action]: {
              type: 'external_select',
              selected_option: { value: 'America/New_York' },
            },
          },
        }),
      ),
    );
    expect(response.status).toBe(200);
    await slack.waitFor('views.update');
    const update = slack.callsTo('views.update')[0]?.args as {
      view_id: string;
      hash: string;
      view: object;
    };
    expect(update.view_id).toBe('V1');
    expect(update.hash).toBe('hash-1');
    const view = JSON.stringify(update.view);
    expect(view).toContain('Epochs'); // the pipeline's declared parameter
    expect(view).toContain('prod'); // the roles the policy allows for prod-*
    expect(view).toContain('at 02:30, every day, America/New_York'); // the live preview
  });

  it('the modal preview warns, before submitting, that the pipeline already runs at those times', async () => {
    await runtime.service.createSchedule(
      {
        pipeline: 'prod-churn',
        expression: 'cron(30 2 * * ? *)',
        timeZone: 'America/New_York',
        name: 'prod-nightly',
        roleArn: 'arn:aws:iam::123456789012:role/PipelineSchedulerProd',
      },
      { requestId: 'seed', allowedRoles: 'any', userId: 'U0ALICE' },
    );
    await postSigned(
      url,
      SECRET,
      interaction(
        pipelineChosen('U0ALICE', 'prod-churn', {
          [ids.create.expression.block]: {
            [ids.create.expression.action]: {
              type: 'plain_text_input',
              value: 'cron(30 8 * * ? *)',
            },
          },
          [ids.create.timeZone.block]: {
            [ids.create.timeZone.action]: {
              type: 'external_select',
              selected_option: { value: 'Europe/Berlin' },
            },
          },
        }),
      ),
    );
    await slack.waitFor('views.update');
    const view = JSON.stringify(slack.callsTo('views.update')[0]?.args);
    expect(view).toMatch(/:warning: prod-churn already runs .* prod-nightly/);
  });

  it('authorizes a button again when it is clicked', async () => {
    await runtime.service.createSchedule(
      {
        pipeline: 'prod-churn',
        expression: 'rate(1 day)',
        name: 'prod-daily',
        roleArn: 'arn:aws:iam::123456789012:role/PipelineSchedulerProd',
      },
      { requestId: 'seed', allowedRoles: 'any', userId: 'U0ALICE' },
    );
    const clickDelete = (user: string) =>
      click(
        user,
        { action_id: ids.actions.delete, block_id: 'trigger_actions_0', value: 'prod-daily' },
        `delete-${user}`,
      );
    // Typed, a delete asks first: the answer holds the Delete button, behind its confirm dialog.
    await postSigned(url, SECRET, command('U0LEAD1', 'delete prod-daily', 'typed'));
    await slack.waitFor('respond:typed');
    const asked = slack.callsTo('respond:typed')[0]?.args as {
      text: string;
      blocks: Array<{ elements?: Array<{ action_id?: string; value?: string; confirm?: object }> }>;
    };
    expect(asked.text).toMatch(
      /delete the schedule prod-daily\? nothing is deleted until you click Delete/,
    );
    const button = asked.blocks
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === ids.actions.delete);
    expect(button).toMatchObject({ value: 'prod-daily', confirm: expect.any(Object) });
    expect((await runtime.service.describe('prod-daily')).ok).toBe(true);
    await clickDelete('U0ALICE');
    await slack.waitFor('respond:delete-U0ALICE');
    expect(JSON.stringify(slack.callsTo('respond:delete-U0ALICE')[0]?.args)).toMatch(
      /only approvers may delete/,
    );
    expect(
      (await runtime.service.list()).ok && (await runtime.service.describe('prod-daily')).ok,
    ).toBe(true);
    await clickDelete('U0LEAD1');
    await slack.waitFor('respond:delete-U0LEAD1');
    expect((await runtime.service.describe('prod-daily')).ok).toBe(false);
  });

  it('lists triggers a page at a time, the Next page button showing the rest', async () => {
    for (let i = 0; i < 25; i++)
      await runtime.service.createSchedule(
        {
          pipeline: 'dev-churn',
          expression: 'rate(1 day)',
          name: `dev-${String(i).padStart(2, '0')}`,
          roleArn: 'arn:aws:iam::123456789012:role/PipelineSchedulerDev',
        },
        { requestId: `seed-${i}`, allowedRoles: 'any', userId: 'U0ALICE' },
      );
    await postSigned(url, SECRET, command('U0ALICE', 'list', 'page1'));
    await slack.waitFor('respond:page1');
    const first = JSON.stringify(slack.callsTo('respond:page1')[0]?.args);
    const names = (text: string) => [...text.matchAll(/dev-\d\d/g)].map((m) => m[0]);
    const firstPage = new Set(names(first));
    expect(firstPage.size).toBe(20);
    const blocks = slack.callsTo('respond:page1')[0]?.args.blocks as Array<{
      elements?: Array<{ action_id?: string; value?: string }>;
    }>;
    const next = blocks
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === ids.actions.listNextPage);
    expect(next?.value).toBeTruthy();
    await click(
      'U0ALICE',
      { action_id: ids.actions.listNextPage, block_id: 'list_actions_0', value: next?.value },
      'page2',
    );
    await slack.waitFor('respond:page2');
    const second = JSON.stringify(slack.callsTo('respond:page2')[0]?.args);
    const secondPage = new Set(names(second));
    expect(secondPage.size).toBe(5);
    expect([...secondPage].filter((n) => firstPage.has(n))).toEqual([]);
    expect(second).not.toContain(ids.actions.listNextPage);
  });

  it('searches pipelines and time zones for the modal', async () => {
    const pipelines = await postSigned(
      url,
      SECRET,
      interaction({
        type: 'block_suggestion',
        team: { id: 'T0TEAM' },
        user: { id: 'U0ALICE' },
        api_app_id: 'A0APP',
        action_id: ids.options.pipeline,
        block_id: ids.create.pipeline.block,
        value: 'prod',
      }),
    );
    expect(await pipelines.json()).toMatchObject({ options: [{ value: 'prod-churn' }] });
    const zones = await postSigned(
      url,
      SECRET,
      interaction({
        type: 'block_suggestion',
        team: { id: 'T0TEAM' },
        user: { id: 'U0ALICE' },
        api_app_id: 'A0APP',
        action_id: ids.options.timeZone,
        block_id: ids.create.timeZone.block,
        value: 'berl',
      }),
    );
    expect(await zones.json()).toMatchObject({ options: [{ value: 'Europe/Berlin' }] });
  });

  it('publishes App Home when it is opened', async () => {
    const event = JSON.stringify({
      token: 'legacy',
      team_id: 'T0TEAM',
      api_app_id: 'A0APP',
      type: 'event_callback',
      event_id: 'Ev1',
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'app_home_opened',
        user: 'U0LEAD1',
        channel: 'D0LEAD1',
        tab: 'home',
        event_ts: '1',
      },
    });
    expect((await postSigned(url, SECRET, event, { json: true })).status).toBe(200);
    await slack.waitFor('views.publish');
    expect(slack.callsTo('views.publish')[0]?.args).toMatchObject({
      user_id: 'U0LEAD1',
      view: { type: 'home' },
    });
  });
});
