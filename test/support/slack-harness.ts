import type { BotRuntime } from '../../src/bot/bot-runtime.js';
import { ids } from '../../src/bot/ids.js';
import { createSlackApp } from '../../src/bot/slack/app.js';
import type { Installation } from '../../src/bot/slack/listeners/middleware/same-workspace.js';
import { type HttpService, startHttpServer } from '../../src/ops/http-server.js';
import { FakeSlack, postSigned } from './fake-slack.js';
import { startRuntime } from './runtime-harness.js';

export const SIGNING_SECRET = 'test-signing-secret';

/**
 * The workspace the end-to-end tests run in: Alice schedules, her lead approves `prod-*`
 * creates; both front ends (HTTP and Socket Mode) are tried on the same policy.
 */
export const e2ePolicy = `
roles:
  ml:        { users: [U0ALICE] }
  approvers: { users: [U0LEAD1] }
executionRoles:
  prod: arn:aws:iam::123456789012:role/PipelineSchedulerProd
  dev:  arn:aws:iam::123456789012:role/PipelineSchedulerDev
approvals:
  channel: C0APPROVALS
pipelines:
  - match: "prod-*"
    create: [ml]
    delete: [approvers]
    pause: [ml]
    run: [ml]
    approval: { actions: [create], from: [approvers], count: 1 }
    executionRoles: [prod, dev]
  - match: "*"
    create: [ml]
    delete: [ml]
    pause: [ml]
    run: [ml]
    executionRoles: [dev]
`;

export const e2ePipelines =
  'pipelines:\n  - name: prod-churn\n    parameters:\n      - { name: Epochs, type: Integer, default: 10 }\n    steps: [{ name: Train, seconds: 1 }]\n  - name: dev-churn\n    steps: [{ name: Train, seconds: 1 }]\n';

/**
 * The real service in Slack HTTP mode on the local back end, as an operator runs it (one HTTP
 * server: /slack/events, /healthz, …), with Slack's servers faked by a recording stand-in.
 */
export interface SlackHarness {
  slack: FakeSlack;
  runtime: BotRuntime;
  http: HttpService;
  /** The folder holding the policy, the pipelines and the SQLite file. */
  dir: string;
  url: string;
  /** Log lines the service wrote (JSON objects). */
  logs: Array<Record<string, unknown>>;
  /** Posts a signed slash command; `responseId` names its response_url. */
  command(user: string, text: string, responseId?: string, channel?: string): Promise<Response>;
  /** Posts a signed interaction payload (block_actions, view_submission, …). */
  interact(payload: object): Promise<Response>;
  /** The text Slack was asked to show in reply to a command, blocks included. */
  replyText(responseId: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The click Slack sends when someone picks a pipeline in the open create modal: the modal's
 * state (with `values` besides the pipeline) and the select's action.
 */
export function pipelineChosen(
  user: string,
  pipeline: string,
  values: Record<string, unknown> = {},
): object {
  const selected = { type: 'external_select', selected_option: { value: pipeline } };
  return {
    type: 'block_actions',
    team: { id: 'T0TEAM' },
    user: { id: user },
    api_app_id: 'A0APP',
    trigger_id: 't',
    container: { type: 'view', view_id: 'V1' },
    view: {
      id: 'V1',
      hash: 'hash-1',
      callback_id: ids.views.create,
      private_metadata: '{}',
      state: {
        values: {
          ...values,
          [ids.create.pipeline.block]: { [ids.create.pipeline.action]: selected },
        },
      },
    },
    actions: [
      {
        ...selected,
        action_id: ids.create.pipeline.action,
        block_id: ids.create.pipeline.block,
        action_ts: '1',
      },
    ],
  };
}

type Input = { block: string; action: string };

/** What the create modal's inputs hold, as Slack sends them in `view.state.values`. */
export const formValues = {
  selected: (input: Input, value: string, type = 'static_select') => ({
    [input.block]: { [input.action]: { type, selected_option: { value } } },
  }),
  typed: (input: Input, value: string) => ({
    [input.block]: { [input.action]: { type: 'plain_text_input', value } },
  }),
};

/** The create modal submitted by `user` with these values. */
export function createSubmission(
  user: string,
  values: Record<string, unknown>,
  privateMetadata = '{}',
): object {
  return {
    type: 'view_submission',
    team: { id: 'T0TEAM' },
    user: { id: user },
    api_app_id: 'A0APP',
    trigger_id: 'trigger-submit',
    view: {
      id: 'V1',
      callback_id: ids.views.create,
      private_metadata: privateMetadata,
      hash: 'h',
      state: { values },
    },
  };
}

export async function startSlackHarness(files: {
  policy: string;
  pipelines: string;
  env?: Record<string, string>;
  /** Where the app is installed; our one workspace T0TEAM by default. */
  installation?: Installation;
}): Promise<SlackHarness> {
  const slack = await FakeSlack.start();
  const base = await startRuntime({
    policy: files.policy,
    pipelines: files.pipelines,
    logs: true,
    env: {
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      ...files.env,
    },
  });
  const { runtime, dir, logs, log } = base;
  const app = createSlackApp({
    mode: { kind: 'http', signingSecret: SIGNING_SECRET },
    botToken: 'xoxb-test',
    apiUrl: slack.apiUrl,
    runtime,
    log,
    botIdentity: { botId: 'B0BOT', botUserId: 'U0BOT' },
    installation: files.installation ?? { teamId: 'T0TEAM' },
    retries: 0,
  });
  const http = await startHttpServer(0, log, [
    { path: '/slack/events', handler: app.listener ?? (() => {}) },
  ]);
  const url = `http://127.0.0.1:${http.port}/slack/events`;
  return {
    slack,
    runtime,
    http,
    dir,
    url,
    logs,
    command: (user, text, responseId = 'cmd', channel = 'C0MLOPS') =>
      postSigned(
        url,
        SIGNING_SECRET,
        new URLSearchParams({
          command: '/pipeline-schedule',
          text,
          user_id: user,
          user_name: user.toLowerCase(),
          channel_id: channel,
          channel_name: 'ml-ops',
          team_id: 'T0TEAM',
          team_domain: 'acme',
          api_app_id: 'A0APP',
          trigger_id: `trigger-${Math.random()}`,
          response_url: slack.responseUrl(responseId),
          token: 'legacy',
        }).toString(),
      ),
    interact: (payload) =>
      postSigned(
        url,
        SIGNING_SECRET,
        new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      ),
    async replyText(responseId) {
      await slack.waitFor(`respond:${responseId}`);
      const reply = slack.callsTo(`respond:${responseId}`).at(-1)?.args;
      return `${String(reply?.text ?? '')}\n${JSON.stringify(reply?.blocks ?? [])}`;
    },
    async close() {
      await http.close();
      await runtime.close();
      await slack.close();
    },
  };
}
