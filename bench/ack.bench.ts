// biome-ignore-all lint/suspicious/noConsole: a benchmark prints its figures
/**
 * Benchmark: how fast /pipeline-schedule is acknowledged under load.
 *
 *   npm run bench:ack     (BENCH_REQUESTS=200 BENCH_ROUNDS=10 BENCH_WARMUP=3 by default)
 *
 * Starts two processes the way people run them, each with its default logging:
 * (a) a bare Bolt app whose listener only acks (bench/bare-bolt.ts), and
 * (b) the service itself (`tsx src/main.ts`, what `npm start` runs), configured only through
 *     the environment: a fresh SQLite file, the local back end, Slack's Web API and
 *     response_urls pointed at a stand-in this process serves.
 * Then fires BENCH_REQUESTS signed slash commands at once at each, alternating, for
 * BENCH_ROUNDS rounds, and prints the latency of the HTTP acknowledgement (p50, p99) of each
 * and their p99 ratio. Goal: the service's p99 within 1.2× of the bare app's.
 * Where /proc is there, it also prints each app's CPU time per request until acknowledged: the
 * work it does, whatever else the machine runs. BENCH_CPU_PROF=<dir> writes a CPU profile of
 * each process there; BENCH_VERBOSE=1 prints every burst.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeSlack, postSigned, slackSignature } from '../test/support/fake-slack.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
// 2,000 samples a side: the p99 of fewer is a handful of requests, and swings with any pause.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
/** BENCH_VERBOSE=1: each burst's figures too. */
const VERBOSE = Boolean(process.env.BENCH_VERBOSE);
const SECRET = 'bench-signing-secret';
const TOKEN = 'xoxb-bench';
/** What the stand-in's auth.test names as the workspace: the service acts only on its own. */
const TEAM = 'T0TEAM';
const GOAL = 1.2;
/** USER_HZ, which Linux reports as 100 everywhere. */
const CLOCK_TICKS_PER_S = 100;

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** Configuration the service reads: a developer's shell must not change what is measured. */
const CONFIG_VARIABLES = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'SLACK_API_URL',
  'PORT',
  'BACKEND',
  'DATABASE_URL',
  'POLICY_FILE',
  'EVENTS_API_KEY',
  'EVENTS_QUEUE_URL',
  'DEAD_LETTER_QUEUE_URL',
  'LOCAL_PIPELINES_FILE',
  'LOCAL_FOREIGN_TRIGGERS',
  'LOG_LEVEL',
  'NODE_OPTIONS',
];

interface Target {
  name: string;
  url: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<void>;
}

const children: ChildProcess[] = [];

/** The whole process group: tsx runs the script in a node process of its own. */
function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

process.on('exit', () => {
  for (const child of children) kill(child, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    for (const child of children) kill(child, 'SIGKILL');
    process.exit(130);
  });

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error()),
      );
    });
  });
}

async function start(
  name: string,
  script: string,
  env: Record<string, string>,
  logFile: string,
  readyPath: string,
  nodeFlags: string[] = [],
): Promise<Target> {
  const port = await freePort();
  const base = { ...process.env };
  for (const variable of CONFIG_VARIABLES) delete base[variable];
  const out = openSync(logFile, 'a');
  // tsx hands flags before the script to node.
  const child = spawn(tsx, [...nodeFlags, script], {
    cwd: root,
    env: {
      ...base,
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', out, out],
    // Its own process group, so tsx and the node process it starts stop together.
    detached: true,
  });
  children.push(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${name} exited before it was ready:\n${tail(logFile)}`);
    const answer = await fetch(`${url}${readyPath}`).catch(() => undefined);
    // Any answer means listening; the service's readiness must be 200.
    if (answer && (readyPath === '/readyz' ? answer.status === 200 : true)) {
      await answer.arrayBuffer();
      break;
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready in 60 s:\n${tail(logFile)}`);
    await sleep(100);
  }
  return { name, url: `${url}/slack/events`, child, logFile, exited };
}

async function stop(target: Target): Promise<void> {
  // To tsx alone, which hands it on: a second SIGTERM would cut the service's clean stop short.
  target.child.kill('SIGTERM');
  const timeout = sleep(5000).then(() => kill(target.child, 'SIGKILL'));
  await Promise.race([target.exited, timeout]);
}

function tail(file: string): string {
  return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
}

function lineCount(file: string): number {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
}

/**
 * CPU time (ms) of every process in a child's group, from /proc (Linux; undefined elsewhere):
 * how much work each app does per request, whatever else the machine is running.
 */
function groupCpuMs(child: ChildProcess): number | undefined {
  if (child.pid === undefined || !existsSync('/proc/self/stat')) return undefined;
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // After "pid (comm)": state, ppid, pgrp, … utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === child.pid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_S;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

let burst = 0;

/** A /pipeline-schedule slash command's form, as Slack posts it. */
function commandBody(text: string, triggerId: string, responseUrl: string): string {
  return new URLSearchParams({
    command: '/pipeline-schedule',
    text,
    user_id: 'U0BENCH',
    channel_id: 'C0BENCH',
    team_id: TEAM,
    api_app_id: 'A0BENCH',
    trigger_id: triggerId,
    response_url: responseUrl,
  }).toString();
}

async function fire(url: string, slack: FakeSlack, text: string): Promise<number[]> {
  const timestamp = Math.floor(Date.now() / 1000);
  burst++;
  // Signed before the clock starts: only the acknowledgement is timed.
  const requests = Array.from({ length: REQUESTS }, (_, i) => {
    // Unique per burst, as Slack's are: the same signed body twice is a replay, ignored.
    const body = commandBody(
      text,
      `t${burst}.${i}-${timestamp}-${Math.random()}`,
      slack.responseUrl(`b${burst}r${i}`),
    );
    return {
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': slackSignature(SECRET, timestamp, body),
      },
    };
  });
  return Promise.all(
    requests.map(async ({ body, headers }) => {
      const started = performance.now();
      const response = await fetch(url, { method: 'POST', headers, body });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`HTTP ${response.status} from ${url}`);
      return performance.now() - started;
    }),
  );
}

function summary(times: number[]): string {
  return `p50 ${percentile(times, 0.5).toFixed(1)} ms, p99 ${percentile(times, 0.99).toFixed(1)} ms`;
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const slack = await FakeSlack.start();
  const dir = mkdtempSync(join(tmpdir(), 'bench-ack-'));
  const slackEnv = {
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_API_URL: slack.apiUrl,
  };
  const profileDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
  const [bare, ours] = await Promise.all([
    start(
      'bare Bolt app',
      'bench/bare-bolt.ts',
      slackEnv,
      join(dir, 'bare.log'),
      '/',
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, 'bare')}`] : [],
    ),
    start(
      'pipeline-schedule-bot',
      'src/main.ts',
      { ...slackEnv, DATABASE_URL: `sqlite:${join(dir, 'bot.db')}` },
      join(dir, 'service.log'),
      '/readyz',
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, 'service')}`] : [],
    ),
  ]);
  try {
    // A few schedules for `list` to show, made the way people make them.
    const made = slack.callsTo('respond').length;
    for (let i = 0; i < 3; i++) {
      const answer = await postSigned(
        ours.url,
        SECRET,
        commandBody(
          `create churn-train 'rate(1 day)' name=bench-${i}`,
          `seed-${i}`,
          slack.responseUrl(`seed${i}`),
        ),
      );
      if (answer.status !== 200) throw new Error(`seeding: HTTP ${answer.status}`);
    }
    await slack.waitFor('respond', made + 3, 30_000);

    const cpu = new Map<Target, number>([
      [bare, 0],
      [ours, 0],
    ]);
    const burstAt = async (target: Target, times?: number[]) => {
      const answered = slack.callsTo('respond').length;
      const before = groupCpuMs(target.child);
      const measured = await fire(target.url, slack, 'list');
      const after = groupCpuMs(target.child);
      if (VERBOSE && times) console.log(`  ${target.name}: ${summary(measured)}`);
      if (times) {
        times.push(...measured);
        if (before !== undefined && after !== undefined)
          cpu.set(target, (cpu.get(target) ?? 0) + after - before);
      }
      // The service's answers (after its acks) are all out before the next burst starts.
      if (target === ours) await slack.waitFor('respond', answered + REQUESTS, 60_000);
      await sleep(300);
    };
    // Warm up both (JIT, connections, caches).
    for (let i = 0; i < WARMUP; i++) {
      await burstAt(bare);
      await burstAt(ours);
    }
    const bareTimes: number[] = [];
    const ourTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first, so neither always follows the other's burst.
      const order = round % 2 === 0 ? [bare, ours] : [ours, bare];
      for (const target of order) await burstAt(target, target === bare ? bareTimes : ourTimes);
    }

    const row = (name: string, times: number[]) =>
      `${name.padEnd(34)} p50 ${percentile(times, 0.5).toFixed(1).padStart(7)} ms   p99 ${percentile(times, 0.99).toFixed(1).padStart(7)} ms`;
    console.log(
      `${REQUESTS} concurrent signed slash commands × ${ROUNDS} rounds (after ${WARMUP} warm-up bursts), acknowledgement latency, each app in its own process:`,
    );
    const cpuPerRequest = (target: Target) =>
      groupCpuMs(target.child) === undefined
        ? ''
        : `   CPU ${(((cpu.get(target) ?? 0) * 1000) / (REQUESTS * ROUNDS)).toFixed(0).padStart(4)} µs/request until acked`;
    console.log(row('bare Bolt app (ack only)', bareTimes) + cpuPerRequest(bare));
    console.log(row('pipeline-schedule-bot (list)', ourTimes) + cpuPerRequest(ours));
    console.log(
      `logging: each at its default level (the service: LOG_LEVEL unset = info, pino JSON; Bolt: its console logger, info), to files: service ${lineCount(ours.logFile)} lines, bare ${lineCount(bare.logFile)} lines`,
    );
    const ratio = percentile(ourTimes, 0.99) / percentile(bareTimes, 0.99);
    console.log(
      `p99 ratio: ${ratio.toFixed(2)}× (goal ≤ ${GOAL}×) ${ratio <= GOAL ? 'GOAL MET' : 'GOAL MISSED'}`,
    );
  } finally {
    await Promise.all([stop(bare), stop(ours)]);
    await slack.close();
    if (profileDir) console.log(`CPU profiles: ${profileDir}/service, ${profileDir}/bare`);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
