// biome-ignore-all lint/suspicious/noConsole: a benchmark prints its figures
/**
 * Benchmark: how fast /pipeline-schedule is acknowledged under load.
 *
 *   npm run bench:ack            (BENCH_REQUESTS=200 BENCH_ROUNDS=5 by default)
 *
 * Fires BENCH_REQUESTS signed slash commands at once, over loopback HTTP, at (a) a bare Bolt app
 * whose listener only acks, and (b) the real app — signature check, ack, then the command runs
 * against the local back end and answers through its response_url — and prints the latency of
 * the HTTP acknowledgement (p50, p99) of each and their ratio, in the same run. Slack's Web API
 * and response_urls are a local stand-in. Goal: p99 within 1.2× of the bare app.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, HTTPReceiver } from '@slack/bolt';
import { openBotRuntime } from '../src/bot/bot-runtime.js';
import { createSlackApp } from '../src/bot/slack/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startHttpServer } from '../src/ops/http-server.js';
import { FakeSlack, slackSignature } from '../test/support/fake-slack.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECRET = 'bench-signing-secret';

async function fire(url: string, slack: FakeSlack, text: string): Promise<number[]> {
  const timestamp = Math.floor(Date.now() / 1000);
  const bodies = Array.from({ length: REQUESTS }, (_, i) =>
    new URLSearchParams({
      command: '/pipeline-schedule',
      text,
      user_id: 'U0BENCH',
      channel_id: 'C0BENCH',
      team_id: 'T0BENCH',
      api_app_id: 'A0BENCH',
      // Unique per burst, as Slack's are: the same signed body twice is a replay, ignored.
      trigger_id: `t${i}-${timestamp}-${Math.random()}`,
      response_url: slack.responseUrl(`r${i}`),
    }).toString(),
  );
  return Promise.all(
    bodies.map(async (body) => {
      const started = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': slackSignature(SECRET, timestamp, body),
        },
        body,
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      return performance.now() - started;
    }),
  );
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const slack = await FakeSlack.start();
  const log = createLogger({ level: 'silent' });

  const bareReceiver = new HTTPReceiver({ signingSecret: SECRET, endpoints: '/slack/events' });
  const bare = new App({
    token: 'xoxb-bench',
    receiver: bareReceiver,
    botId: 'B0',
    botUserId: 'U0',
    tokenVerificationEnabled: false,
    clientOptions: { slackApiUrl: slack.apiUrl },
  });
  bare.command('/pipeline-schedule', async ({ ack }) => {
    await ack();
  });
  const bareServer = await startHttpServer(0, log, [
    { path: '/slack/events', handler: bareReceiver.requestListener },
  ]);

  const dir = mkdtempSync(join(tmpdir(), 'bench-ack-'));
  const runtime = await openBotRuntime(
    loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'bot.db')}` }),
    log,
    { engine: false },
  );
  const ours = createSlackApp({
    mode: { kind: 'http', signingSecret: SECRET },
    botToken: 'xoxb-bench',
    apiUrl: slack.apiUrl,
    runtime,
    log,
    botIdentity: { botId: 'B0', botUserId: 'U0' },
    installation: { teamId: 'T0BENCH' },
    retries: 0,
  });
  const ourServer = await startHttpServer(0, log, [
    { path: '/slack/events', handler: ours.listener ?? (() => {}) },
  ]);
  for (let i = 0; i < 3; i++) {
    await runtime.service.createSchedule(
      {
        pipeline: 'churn-train',
        expression: 'rate(1 day)',
        name: `bench-${i}`,
        roleArn: 'arn:aws:iam::000000000000:role/LocalPipelineScheduler',
      },
      { requestId: `seed-${i}`, allowedRoles: 'any' },
    );
  }

  const bareUrl = `http://127.0.0.1:${bareServer.port}/slack/events`;
  const ourUrl = `http://127.0.0.1:${ourServer.port}/slack/events`;
  // Warm up both (JIT, connection setup).
  await fire(bareUrl, slack, 'list');
  await fire(ourUrl, slack, 'list');
  await slack.waitFor('respond', REQUESTS, 30_000);
  const bareTimes: number[] = [];
  const ourTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareTimes.push(...(await fire(bareUrl, slack, 'list')));
    // Let the previous round's post-ack work finish before the next burst.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const answered = slack.callsTo('respond').length;
    ourTimes.push(...(await fire(ourUrl, slack, 'list')));
    // Every answer of this burst is out before the next burst starts.
    await slack.waitFor('respond', answered + REQUESTS, 30_000);
  }
  const row = (name: string, times: number[]) =>
    `${name.padEnd(34)} p50 ${percentile(times, 0.5).toFixed(1).padStart(7)} ms   p99 ${percentile(times, 0.99).toFixed(1).padStart(7)} ms`;
  console.log(
    `${REQUESTS} concurrent signed slash commands × ${ROUNDS} rounds, acknowledgement latency:`,
  );
  console.log(row('bare Bolt app (ack only)', bareTimes));
  console.log(row('pipeline-schedule-bot (list)', ourTimes));
  const ratio = percentile(ourTimes, 0.99) / percentile(bareTimes, 0.99);
  console.log(
    `p99 ratio: ${ratio.toFixed(2)}× (goal ≤ 1.2×) ${ratio <= 1.2 ? 'GOAL MET' : 'GOAL MISSED'}`,
  );

  await bareServer.close();
  await ourServer.close();
  await runtime.close();
  await slack.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
