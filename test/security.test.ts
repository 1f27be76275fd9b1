import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { usages } from '../src/bot/commands/grammar.js';
import { ids } from '../src/bot/ids.js';
import { postSigned, slackSignature } from './support/fake-slack.js';
import { expectOk } from './support/runtime-harness.js';
import {
  pipelineChosen,
  SIGNING_SECRET,
  type SlackHarness,
  startSlackHarness,
} from './support/slack-harness.js';

/**
 * The attacks of a security review, replayed through signed HTTP against the real Bolt app in
 * a production-style policy: `prod-*` needs approval, `fin-*` is readable by finance and
 * admins only, everyone holds `staff`. U0BOB is staff and nothing else: the attacker.
 * Every attack must fail, say why, and leave the process serving.
 */
const policy = `
roles:
  staff:     { everyone: true }
  ml:        { users: [U0ALICE] }
  finance:   { users: [U0FIN] }
  admins:    { users: [U0ADMIN] }
  approvers: { users: [U0LEAD1] }
executionRoles:
  prod: arn:aws:iam::123456789012:role/PipelineSchedulerProd
  dev:  arn:aws:iam::123456789012:role/PipelineSchedulerDev
approvals:
  channel: C0APPROVALS
pipelines:
  - match: "fin-*"
    read: [finance, admins]
    create: [finance]
    delete: [finance]
    pause: [finance]
    run: [finance]
    approval: { actions: [run], from: [admins], count: 1 }
    executionRoles: [dev]
  - match: "prod-*"
    create: [staff]
    delete: [admins]
    pause: [ml]
    run: [staff]
    approval: { actions: [create, delete, run], from: [approvers, admins], count: 1 }
    executionRoles: [prod]
  - match: "*"
    create: [staff]
    delete: [staff]
    pause: [staff]
    run: [staff]
    executionRoles: [dev]
`;

const pipelines = `pipelines:
  - name: fin-payroll
    description: Monthly payroll reconciliation
    parameters:
      - { name: PayPeriod, type: String, default: "2026-11" }
    steps: [{ name: Reconcile, seconds: 1 }]
  - name: prod-churn
    steps: [{ name: Train, seconds: 1 }]
  - name: dev-churn
    steps: [{ name: Train, seconds: 1 }]
`;

let h: SlackHarness;

beforeEach(async () => {
  h = await startSlackHarness({ policy, pipelines });
});

afterEach(async () => {
  await h.close();
});

/** Asks, waits for the answer, returns its text and blocks. */
async function ask(user: string, text: string, channel = 'C0MLOPS'): Promise<string> {
  const id = `r${Math.random().toString(36).slice(2)}`;
  expect((await h.command(user, text, id, channel)).status).toBe(200);
  return h.replyText(id);
}

async function stillServing(): Promise<void> {
  const health = await fetch(h.url.replace('/slack/events', '/healthz'));
  expect(health.status).toBe(200);
  expect(await ask('U0ALICE', 'help')).toContain('create');
}

describe('reading server files from Slack', () => {
  it('refuses @file arguments and says to paste the JSON, without touching the file', async () => {
    for (const path of [`${h.dir}/policy.yml`, '/etc/passwd', '/proc/self/environ', '/nope']) {
      const answer = await ask('U0BOB', `test-pattern @${path} {}`);
      expect(answer).toContain('paste the JSON here instead');
      expect(answer).not.toMatch(/root:|roles:|ENOENT|EISDIR|no such file/);
    }
    const event = await ask('U0BOB', 'put-event @/etc/passwd');
    expect(event).toContain('paste the JSON here instead');
  });

  it('cannot hang the service with @/dev/zero', async () => {
    const before = process.memoryUsage().rss;
    const answer = await ask('U0BOB', 'test-pattern @/dev/zero {}');
    expect(answer).toContain('paste the JSON here instead');
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    await stillServing();
  });
});

describe('pipelines restricted by read:', () => {
  beforeEach(async () => {
    // Finance's own work: a schedule, a pending run request, an audit trail.
    expect(await ask('U0FIN', "create fin-payroll 'rate(1 hour)' name=fin-hourly")).toContain(
      'fin-hourly',
    );
    expect(await ask('U0FIN', 'run fin-payroll param:PayPeriod=Q4-secret-period')).toMatch(/req-/);
  });

  it('stay invisible to someone outside the rule, on every command', async () => {
    const [pending] = await h.runtime.access.workflow.pending();
    const id = pending?.request.id ?? '';
    // Every command of the grammar, as the outsider would try it on finance's pipeline.
    const probes: Record<string, string[]> = {
      help: ['help', 'help run'],
      create: ["create fin-payroll 'rate(1 day)'"],
      'on-event': ['on-event fin-payroll {"source":["acme.ledger"]}'],
      list: ['list', 'list fin-payroll'],
      describe: ['describe fin-hourly'],
      update: ["update fin-hourly 'rate(2 hours)'", 'update fin-hourly param:PayPeriod=x'],
      delete: ['delete fin-hourly'],
      pause: ['pause fin-hourly'],
      resume: ['resume fin-hourly'],
      run: ['run fin-payroll'],
      next: ["next 'rate(1 day)'"],
      validate: ["validate 'rate(1 day)'"],
      history: ['history fin-payroll'],
      ticks: ['ticks fin-hourly', 'ticks fin-hourly 50'],
      orphans: ['orphans', 'orphans clean fin-hourly'],
      adopt: ['adopt fin-hourly', 'adopt default/fin-hourly'],
      pipelines: ['pipelines', 'pipelines fin'],
      'put-event': ['put-event {"source":"acme.ledger","detail-type":"x","detail":{}}'],
      approvals: ['approvals'],
      approve: [`approve ${id}`],
      reject: [`reject ${id} no`],
      cancel: [`cancel ${id}`],
      subscribe: ['subscribe fin-payroll #C0BOBS'],
      unsubscribe: ['unsubscribe fin-payroll #C0BOBS'],
      audit: ['audit 50', 'audit pipeline=fin-payroll'],
      'test-pattern': [
        'test-pattern {"source":["acme.ledger"]} {"id":"1","source":"acme.ledger","detail-type":"x","account":"1","region":"r","time":"2026-01-01T00:00:00Z","resources":[],"detail":{}}',
      ],
    };
    expect(Object.keys(probes).sort()).toEqual(Object.keys(usages).sort());
    const content = /PayPeriod|reconciliation|Q4-secret-period|rate\(1 hour\)|Reconcile/;
    for (const [name, texts] of Object.entries(probes)) {
      for (const text of texts) {
        const answer = await ask('U0BOB', text);
        expect(answer, `${name}: ${text}`).not.toMatch(content);
        expect(answer, `${name}: ${text}`).not.toMatch(/at \S+ \(|Error:/);
      }
    }
    for (const text of ['list', 'pipelines', 'approvals', 'audit 50', 'orphans'])
      expect(await ask('U0BOB', text), text).not.toMatch(/fin-/);
    for (const text of ['audit pipeline=fin-payroll', 'history fin-payroll', 'describe fin-hourly'])
      expect(await ask('U0BOB', text)).toMatch(/only finance or admins may see fin-payroll/);
    expect(await h.runtime.store.subscriptions.list('fin-payroll')).toEqual([]);
    expect((await h.runtime.access.workflow.get(id))?.status).toBe('PENDING');
    // The same commands show finance its own pipeline: the filter is not blind.
    expect(await ask('U0BOB', 'pipelines')).toContain('dev-churn');
    expect(await ask('U0FIN', 'list')).toContain('fin-hourly');
    expect(await ask('U0FIN', 'pipelines')).toContain('fin-payroll');
    expect(await ask('U0FIN', 'audit 50')).toContain('fin-payroll');
    expect(await ask('U0ADMIN', 'approvals')).toContain('fin-payroll');
  });

  it('are not offered by the modal search, nor described when chosen', async () => {
    const search = async (user: string) => {
      const response = await h.interact({
        type: 'block_suggestion',
        team: { id: 'T0TEAM' },
        user: { id: user },
        api_app_id: 'A0APP',
        action_id: ids.options.pipeline,
        block_id: ids.create.pipeline.block,
        value: 'fin',
        container: { type: 'view', view_id: 'V1' },
        view: { id: 'V1', callback_id: ids.views.create, private_metadata: '{}' },
      });
      return JSON.stringify(await response.json());
    };
    expect(await search('U0BOB')).not.toContain('fin-payroll');
    expect(await search('U0FIN')).toContain('fin-payroll');

    const choose = async (user: string) => {
      const before = h.slack.callsTo('views.update').length;
      await h.interact(pipelineChosen(user, 'fin-payroll'));
      await h.slack.waitFor('views.update', before + 1);
      return JSON.stringify(h.slack.callsTo('views.update').at(-1)?.args.view);
    };
    expect(await choose('U0BOB')).not.toContain('PayPeriod');
    expect(await choose('U0FIN')).toContain('PayPeriod');
  });

  it('do not show on the Home tab', async () => {
    const home = async (user: string) => {
      const before = h.slack.callsTo('views.publish').length;
      await postSigned(
        h.url,
        SIGNING_SECRET,
        JSON.stringify({
          type: 'event_callback',
          team_id: 'T0TEAM',
          api_app_id: 'A0APP',
          event_id: `Ev${Math.random().toString(36).slice(2)}`,
          event_time: Math.floor(Date.now() / 1000),
          event: { type: 'app_home_opened', user, tab: 'home', channel: 'D0HOME' },
        }),
        { json: true },
      );
      await h.slack.waitFor('views.publish', before + 1);
      return JSON.stringify(h.slack.callsTo('views.publish').at(-1)?.args.view);
    };
    expect(await home('U0BOB')).not.toMatch(/fin-/);
    expect(await home('U0FIN')).toContain('fin-hourly');
  });

  it('cannot be started through a rule by publishing an event', async () => {
    expect(
      await ask('U0FIN', `on-event fin-payroll {"source":["acme.ledger"]} name=fin-on-ledger`),
    ).toContain('fin-on-ledger');
    const answer = await ask(
      'U0BOB',
      'put-event {"source":"acme.ledger","detail-type":"Closed","detail":{}}',
    );
    expect(answer).toMatch(/would start fin-payroll through a rule/);
    expect(await ask('U0FIN', 'history fin-payroll')).not.toMatch(/EventBridge rule/);
  });
});

describe('forged pipeline statuses', () => {
  it('cannot be published with put-event', async () => {
    const answer = await ask(
      'U0BOB',
      'put-event {"source":"aws.sagemaker","detail-type":"SageMaker Model Building Pipeline Execution Status Change","detail":{"currentPipelineExecutionStatus":"Failed"}}',
    );
    expect(answer).toMatch(/aws\.sagemaker is reserved/);
  });
});

describe('subscriptions', () => {
  it('belong to the pipeline operators: others can neither add nor remove them', async () => {
    expect(await ask('U0ALICE', 'subscribe prod-churn #C0MLALERTS')).toMatch(/C0MLALERTS/);
    expect(await ask('U0BOB', 'unsubscribe prod-churn #C0MLALERTS')).toMatch(
      /only those who may pause or resume prod-churn can remove/,
    );
    expect(await ask('U0BOB', 'subscribe prod-churn #C0RANDOM')).toMatch(
      /subscribing a channel to prod-churn follows the rule for pausing it/,
    );
    const subscriptions = await h.runtime.store.subscriptions.list('prod-churn');
    expect(subscriptions.map((s) => [s.channel, s.createdBy])).toEqual([['C0MLALERTS', 'U0ALICE']]);
    // The owner may always take their own subscription back.
    expect(await ask('U0ALICE', 'unsubscribe prod-churn #C0MLALERTS')).not.toMatch(/only/);
    expect(await h.runtime.store.subscriptions.list('prod-churn')).toEqual([]);
  });
});

describe('malformed but signed requests', () => {
  it('get 400 and never end the process', async () => {
    const form = 'application/x-www-form-urlencoded';
    expect((await postSigned(h.url, SIGNING_SECRET, 'payload=null')).status).toBe(400);
    expect((await postSigned(h.url, SIGNING_SECRET, 'payload=%5B1%5D')).status).toBe(400);
    expect((await postSigned(h.url, SIGNING_SECRET, 'payload=%7Bnope')).status).toBe(400);
    expect((await postSigned(h.url, SIGNING_SECRET, 'null', { json: true })).status).toBe(400);
    expect((await postSigned(h.url, SIGNING_SECRET, '"text"', { json: true })).status).toBe(400);
    for (const timestamp of ['Infinity', '1e12', '-1', '12.5', '']) {
      const body = 'command=%2Fpipeline-schedule&text=help';
      const response = await fetch(h.url, {
        method: 'POST',
        headers: {
          'content-type': form,
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp as never, body),
        },
        body,
      });
      expect(response.status, `timestamp ${JSON.stringify(timestamp)}`).toBe(401);
    }
    await stillServing();
  });
});

describe('replayed requests', () => {
  it('act once: the same signed body sent three times runs the pipeline once', async () => {
    const body = new URLSearchParams({
      command: '/pipeline-schedule',
      text: 'run dev-churn',
      user_id: 'U0ALICE',
      channel_id: 'C0MLOPS',
      team_id: 'T0TEAM',
      api_app_id: 'A0APP',
      trigger_id: 'trigger-replay',
      response_url: h.slack.responseUrl('replay'),
    }).toString();
    const timestamp = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 3; i++)
      expect((await postSigned(h.url, SIGNING_SECRET, body, { timestamp })).status).toBe(200);
    await h.slack.waitFor('respond:replay');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.slack.callsTo('respond:replay')).toHaveLength(1);
    const history = await h.runtime.service.history('dev-churn');
    expect(history.ok && history.value).toHaveLength(1);
    expect(h.logs.some((l) => String(l.msg).includes('replayed Slack request ignored'))).toBe(true);
  });
});

describe('approval buttons', () => {
  let requestId = '';
  let hash = '';
  beforeEach(async () => {
    await ask('U0ALICE', "create prod-churn 'rate(1 day)' name=prod-daily role=prod");
    const [pending] = await h.runtime.access.workflow.pending();
    requestId = pending?.request.id ?? '';
    hash = pending?.request.contentHash ?? '';
  });

  const click = (value: string, team = 'T0TEAM', user = 'U0LEAD1') =>
    h.interact({
      type: 'block_actions',
      team: { id: team },
      user: { id: user, team_id: team },
      api_app_id: 'A0APP',
      trigger_id: 'trigger-approve',
      channel: { id: 'C0APPROVALS' },
      container: { type: 'message', message_ts: '1700000001.000100', channel_id: 'C0APPROVALS' },
      message: { ts: '1700000001.000100', text: 'request' },
      response_url: h.slack.responseUrl(`click-${Math.random()}`),
      actions: [
        {
          type: 'button',
          action_id: ids.actions.approve,
          block_id: 'approval_actions_0',
          value,
          action_ts: String(Math.random()),
        },
      ],
    });

  it('without the content hash approve nothing', async () => {
    expect((await click(requestId)).status).toBe(200);
    expect((await click(`${requestId}|`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await h.runtime.access.workflow.get(requestId))?.status).toBe('PENDING');
    const answers = h.slack.calls.filter((c) => c.method.startsWith('respond:click'));
    expect(answers.map((a) => a.args.text)).toEqual([
      expect.stringMatching(/not one the bot posted/),
      expect.stringMatching(/not one the bot posted/),
    ]);
  });

  it('from another workspace are ignored', async () => {
    expect((await click(`${requestId}|${hash}`, 'T0OTHER')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await h.runtime.access.workflow.get(requestId))?.status).toBe('PENDING');
    expect(h.logs.some((l) => String(l.msg).includes('from another workspace ignored'))).toBe(true);
    // The same click from our workspace goes through.
    await click(`${requestId}|${hash}`);
    await h.slack.waitFor('chat.update');
    expect((await h.runtime.access.workflow.get(requestId))?.status).toBe('EXECUTED');
  });
});

describe('an Enterprise Grid org-wide install', () => {
  it('takes requests from every workspace of its org, team null included, and no other org', async () => {
    const org = await startSlackHarness({
      policy,
      pipelines,
      installation: { teamId: 'T0HOME', enterpriseId: 'E0ORG' },
    });
    try {
      const ask = (team: object | null, enterprise: object | null, id: string) =>
        org.interact({
          type: 'block_actions',
          team,
          enterprise,
          user: { id: 'U0ALICE' },
          api_app_id: 'A0APP',
          trigger_id: 't',
          channel: { id: 'C0MLOPS' },
          response_url: org.slack.responseUrl(id),
          actions: [
            { type: 'button', action_id: ids.actions.describe, value: 'nope', action_ts: '1' },
          ],
        });
      await ask({ id: 'T0OTHERWS', enterprise_id: 'E0ORG' }, { id: 'E0ORG' }, 'sibling');
      await ask(null, { id: 'E0ORG' }, 'org-level');
      expect(await org.replyText('sibling')).toMatch(/nope/);
      expect(await org.replyText('org-level')).toMatch(/nope/);
      await ask({ id: 'T0STRANGER' }, { id: 'E0ELSE' }, 'stranger');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(org.slack.callsTo('respond:stranger')).toEqual([]);
    } finally {
      await org.close();
    }
  });
});

describe('text from people and events', () => {
  it('reaches Slack escaped: a reject reason cannot ping the channel or disguise a link', async () => {
    await ask('U0ALICE', "create prod-churn 'rate(1 day)' name=prod-daily role=prod");
    const [pending] = await h.runtime.access.workflow.pending();
    await ask(
      'U0LEAD1',
      `reject ${pending?.request.id} <!channel> see <https://evil.example|the fix>`,
    );
    await h.slack.waitFor('chat.postMessage', 2);
    const dm = h.slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'D0ALICE');
    const shown = `${String(dm?.args.text)} ${JSON.stringify(dm?.args.blocks ?? [])}`;
    expect(shown).toContain('&lt;!channel&gt;');
    expect(shown).not.toMatch(/<!channel>|<https:\/\/evil/);
  });
});

describe('dead-letter queues', () => {
  it('in another account are accepted with a warning', async () => {
    const answer = await ask(
      'U0BOB',
      "create dev-churn 'rate(1 day)' name=dev-dlq dlq=arn:aws:sqs:us-east-1:999999999999:elsewhere role=arn:aws:iam::123456789012:role/PipelineSchedulerDev",
    );
    expect(answer).toMatch(/dead-letter queue is in account 999999999999, not 123456789012/);
  });
});

describe('a channel-scoped rule', () => {
  const channelPolicy = `
roles:
  staff: { everyone: true }
pipelines:
  - match: "ops-*"
    channels: [C0OPS]
    create: [staff]
    delete: [staff]
    pause: [staff]
    run: [staff]
`;
  let ch: SlackHarness;
  beforeEach(async () => {
    ch = await startSlackHarness({
      policy: channelPolicy,
      pipelines: 'pipelines:\n  - name: ops-etl\n    steps: [{ name: Load, seconds: 0 }]\n',
    });
  });
  afterEach(async () => {
    await ch.close();
  });

  const click = (actionId: string, value: string, channel: string, id: string) =>
    ch.interact({
      type: 'block_actions',
      team: { id: 'T0TEAM' },
      user: { id: 'U0ANY', team_id: 'T0TEAM' },
      api_app_id: 'A0APP',
      trigger_id: 'trigger-run',
      channel: { id: channel },
      container: { type: 'message', message_ts: '1700000001.000100', channel_id: channel },
      message: { ts: '1700000001.000100', text: 'x' },
      response_url: ch.slack.responseUrl(id),
      actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1' }],
    });

  it('decides the same for the typed run, the Run button, Run now and Run again', async () => {
    const typed = async (channel: string) => {
      const id = `typed-${channel}-${Math.random()}`;
      await ch.command('U0ANY', 'run ops-etl', id, channel);
      return ch.replyText(id);
    };
    expect(await typed('C0OPS')).toMatch(/started ops-etl|Started/i);
    expect(await typed('C0ELSE')).toMatch(/no policy rule covers pipeline ops-etl in this channel/);
    const scheduled = await ch.runtime.service.createSchedule(
      {
        pipeline: 'ops-etl',
        expression: 'rate(1 day)',
        name: 'ops-daily',
        roleArn: 'arn:aws:iam::000000000000:role/LocalPipelineScheduler',
        parameters: [],
      },
      { requestId: 'setup', allowedRoles: 'any' },
    );
    expectOk(scheduled);
    const history = await ch.runtime.service.history('ops-etl');
    const executionArn = history.ok ? (history.value[0]?.arn ?? '') : '';
    expect(executionArn).not.toBe('');
    const buttons: Array<[string, string]> = [
      [ids.actions.runPipeline, 'ops-etl'],
      [ids.actions.runNow, 'ops-daily'],
      [ids.actions.rerunExecution, executionArn],
    ];
    for (const [actionId, value] of buttons) {
      for (const [channel, expected] of [
        ['C0OPS', /started ops-etl|Started/i],
        ['C0ELSE', /no policy rule covers pipeline ops-etl in this channel/],
      ] as const) {
        const id = `${actionId}-${channel}`;
        await click(actionId, value, channel, id);
        expect(await ch.replyText(id), `${actionId} in ${channel}`).toMatch(expected);
      }
    }
  });
});
