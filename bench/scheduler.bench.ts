// biome-ignore-all lint/suspicious/noConsole: a benchmark prints its figures
/**
 * Benchmark: the local scheduler holding 100,000 schedules, on the real clock.
 *
 *   npm run bench:scheduler                 (BENCH_SECONDS=120 BENCH_SCHEDULES=100000 by default)
 *
 * The schedules are a plausible mix — daily jobs at random times in a dozen zones, hourly jobs at
 * random minutes, weekday jobs, and some every five minutes — written straight into a fresh
 * SQLite store, then the engine starts (loading them all) and runs for BENCH_SECONDS. Every firing
 * starts a simulated one-step pipeline, as in real use. Printed: load time, the lateness of each
 * firing (fired − scheduled) at p50/p99/max, and the process's peak resident memory.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/logger.js';
import { createLocalBackend } from '../src/scheduling/local/local-backend.js';
import type { FiringReport } from '../src/scheduling/local/local-schedules.js';
import { parsePipelineCatalog } from '../src/scheduling/local/pipeline-catalog.js';
import { DEFAULT_RETRY_POLICY } from '../src/scheduling/triggers.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';

const SCHEDULES = Number(process.env.BENCH_SCHEDULES ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 120);
const GROUP = 'bench';
const zones = [
  'UTC',
  'Europe/Berlin',
  'Europe/London',
  'America/New_York',
  'America/Los_Angeles',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Australia/Sydney',
  'America/Sao_Paulo',
  'Asia/Singapore',
  'Africa/Johannesburg',
  'Pacific/Auckland',
];

/** mulberry32: a small seeded generator whose low bits are as random as its high ones. */
let seed = 42;
const random = (n: number) => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n);
};

function expressionFor(i: number): { expression: string; timeZone: string } {
  const share = i % 100;
  if (share < 70)
    return {
      expression: `cron(${random(60)} ${random(24)} * * ? *)`,
      timeZone: zones[random(zones.length)] ?? 'UTC',
    };
  if (share < 90) return { expression: `cron(${random(60)} * * * ? *)`, timeZone: 'UTC' };
  if (share < 99)
    return {
      expression: `cron(${random(60)} ${random(24)} ? * MON-FRI *)`,
      timeZone: zones[random(zones.length)] ?? 'UTC',
    };
  return { expression: `cron(${random(5)}/5 * * * ? *)`, timeZone: 'UTC' };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scheduler-'));
  const store = openSqliteStore(`sqlite:${join(dir, 'bot.db')}`);
  const pipelines = parsePipelineCatalog(
    'pipelines:\n  - name: nightly\n    parameters:\n      - { name: Day, type: String, default: today }\n    steps:\n      - { name: Run, seconds: 1 }\n',
  );
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);

  const writeStart = performance.now();
  const createdAt = new Date().toISOString();
  await store.local.put('groups', { key: GROUP, json: '{}', updatedAt: new Date() });
  for (let i = 0; i < SCHEDULES; i++) {
    const name = `s${String(i).padStart(6, '0')}`;
    const { expression, timeZone } = expressionFor(i);
    const record = {
      kind: 'schedule',
      name,
      group: GROUP,
      pipelineArn: 'arn:aws:sagemaker:local-1:000000000000:pipeline/nightly',
      pipelineName: 'nightly',
      expression,
      timeZone,
      state: 'ENABLED',
      roleArn: 'arn:aws:iam::000000000000:role/Bench',
      parameters: [{ name: 'Day', value: '<aws.scheduler.scheduled-time>' }],
      retryPolicy: DEFAULT_RETRY_POLICY,
      deleteAfterCompletion: false,
      arn: `arn:aws:scheduler:local-1:000000000000:schedule/${GROUP}/${name}`,
      createdAt,
      modifiedAt: createdAt,
    };
    await store.local.put('schedules', {
      key: `${GROUP}/${name}`,
      ref: 'nightly',
      json: JSON.stringify({ record, version: 1 }),
      updatedAt: new Date(),
    });
  }
  const writeSeconds = (performance.now() - writeStart) / 1000;

  const backend = createLocalBackend({ store, pipelines, log: createLogger({ level: 'warn' }) });
  const firings: FiringReport[] = [];
  backend.schedules.onFiring((report) => firings.push(report));
  const loadStart = performance.now();
  await backend.start();
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const afterLoad = process.memoryUsage();
  console.log(
    `${SCHEDULES.toLocaleString('en')} schedules written in ${writeSeconds.toFixed(1)} s, loaded by the engine in ${loadSeconds.toFixed(2)} s (${backend.schedules.pending.toLocaleString('en')} queued); heap ${mb(afterLoad.heapUsed)}, rss ${mb(afterLoad.rss)}`,
  );
  console.log(`running for ${SECONDS} s on the real clock…`);

  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  await backend.stop();
  clearInterval(sampler);
  await store.close();

  const lateness = firings.map((f) => f.firedAt - f.scheduledTime).sort((a, b) => a - b);
  const pick = (q: number) =>
    lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))] ?? Number.NaN;
  const started = firings.filter((f) => f.outcome === 'started').length;
  const maxRssKb = process.resourceUsage().maxRSS;
  console.log(
    `firings: ${firings.length} (${started} started a pipeline execution), between ${new Date(firings[0]?.scheduledTime ?? 0).toISOString()} and ${new Date(firings.at(-1)?.scheduledTime ?? 0).toISOString()}`,
  );
  console.log(
    `lateness: p50 ${pick(0.5)} ms, p99 ${pick(0.99)} ms, max ${lateness.at(-1) ?? Number.NaN} ms   (goal: p99 < 1000 ms)`,
  );
  console.log(
    `peak memory: rss ${mb(Math.max(peakRss, maxRssKb * 1024))} (sampled every 50 ms and the OS's maxRSS)   (goal: < 300 MB)`,
  );
  const ok = pick(0.99) < 1000 && Math.max(peakRss, maxRssKb * 1024) < 300 * 1024 * 1024;
  console.log(ok ? 'GOALS MET' : 'GOALS MISSED');
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
