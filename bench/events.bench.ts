// biome-ignore-all lint/suspicious/noConsole: a benchmark prints its figures
/**
 * Benchmark: the event path, from POST /aws/events to the Slack call.
 *
 *   npm run bench:events           (BENCH_EXECUTIONS=500 BENCH_STEPS=9 BENCH_CONCURRENCY=50)
 *
 * Posts every event of BENCH_EXECUTIONS executions (start, each step starting and succeeding,
 * the final status; shuffled, a tenth twice) over loopback HTTP to the real endpoint, with the
 * real inbox, store (SQLite) and notifier; Slack is a recording stand-in answering at once and
 * the per-channel pace is off (Slack's own ~1 call/s per channel would dominate otherwise).
 * Prints ingest throughput, the delay from an execution's final event being received to the
 * Slack call that shows it (p50, p99), and Slack calls per execution.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executionMessage, failureReply } from '../src/bot/views/execution-message.js';
import { createLogger } from '../src/logger.js';
import type { ChatMessage, ChatPoster } from '../src/notifications/notifier.js';
import { startNotifications } from '../src/notifications/wiring.js';
import { eventsEndpoint } from '../src/ops/events-endpoint.js';
import { startHttpServer } from '../src/ops/http-server.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { executionEvent, stepEvent } from '../test/notifications/fixtures.js';

const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 500);
const STEPS = Number(process.env.BENCH_STEPS ?? 9);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const KEY = 'bench-events-api-key-0123456789';

class TimingPoster implements ChatPoster {
  calls = 0;
  shownFinal = new Map<string, number>();
  private n = 0;
  async post(_channel: string, message: ChatMessage, options: { threadTs?: string } = {}) {
    this.record(message, options.threadTs);
    return { ts: String(++this.n) };
  }
  async update(_channel: string, _ts: string, message: ChatMessage) {
    this.record(message);
  }
  async find() {
    return undefined;
  }
  private record(message: ChatMessage, thread?: string) {
    this.calls++;
    if (thread) return;
    const m = /churn-train (x\d+): (Succeeded|Failed)/.exec(message.text);
    if (m?.[1] && !this.shownFinal.has(m[1])) this.shownFinal.set(m[1], performance.now());
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-events-'));
  const store = openSqliteStore(`sqlite:${join(dir, 'bot.db')}`);
  const log = createLogger({ level: 'silent' });
  const poster = new TimingPoster();
  const events = startNotifications({
    render: executionMessage,
    renderFailure: failureReply,
    store,
    log,
    poster,
    paceMs: 0,
    defaultRoutes: () => [{ channel: 'C0BENCH', filter: 'all' }],
  });
  const http = await startHttpServer(0, log, [
    { path: '/aws/events', handler: eventsEndpoint({ apiKey: KEY, inbox: events.inbox, log }) },
  ]);
  const url = `http://127.0.0.1:${http.port}/aws/events`;

  const bodies: Array<{ body: string; finalOf?: string }> = [];
  for (let x = 0; x < EXECUTIONS; x++) {
    const id = `x${x}`;
    const t = (s: number) =>
      new Date(Date.UTC(2026, 2, 2, 9, 0, s)).toISOString().replace('.000Z', 'Z');
    bodies.push({
      body: JSON.stringify(executionEvent(`${id}-start`, id, 'Executing', { time: t(0) })),
    });
    for (let s = 0; s < STEPS; s++) {
      bodies.push({
        body: JSON.stringify(
          stepEvent(`${id}-${s}-a`, id, `S${s}`, 'Executing', { time: t(1 + 2 * s) }),
        ),
      });
      bodies.push({
        body: JSON.stringify(
          stepEvent(`${id}-${s}-b`, id, `S${s}`, 'Succeeded', { time: t(2 + 2 * s) }),
        ),
      });
    }
    bodies.push({
      body: JSON.stringify(
        executionEvent(`${id}-end`, id, x % 2 ? 'Failed' : 'Succeeded', { time: t(40) }),
      ),
      finalOf: id,
    });
  }
  const unique = bodies.length;
  const deliveries = [...bodies, ...bodies.filter((_, i) => i % 10 === 0)];
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [deliveries[i], deliveries[j]] = [
      deliveries[j] as (typeof deliveries)[number],
      deliveries[i] as (typeof deliveries)[number],
    ];
  }

  const finalReceived = new Map<string, number>();
  const queue = [...deliveries];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
          body: next.body,
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
        if (next.finalOf && !finalReceived.has(next.finalOf))
          finalReceived.set(next.finalOf, performance.now());
      }
    }),
  );
  const ingestSeconds = (performance.now() - started) / 1000;
  for (let i = 0; i < 600 && poster.shownFinal.size < EXECUTIONS; i++)
    await new Promise((resolve) => setTimeout(resolve, 100));

  const delays = [...finalReceived]
    .map(([id, at]) => (poster.shownFinal.get(id) ?? Number.NaN) - at)
    .sort((a, b) => a - b);
  const pick = (q: number) =>
    delays[Math.min(delays.length - 1, Math.floor(q * delays.length))] ?? Number.NaN;
  console.log(
    `${deliveries.length} deliveries (${unique} unique events, ${EXECUTIONS} executions), ${CONCURRENCY} concurrent POSTs`,
  );
  console.log(
    `ingest: ${(deliveries.length / ingestSeconds).toFixed(0)} events/s over HTTP (${ingestSeconds.toFixed(1)} s), every one stored before its 2xx`,
  );
  console.log(
    `final event received → Slack call showing it: p50 ${pick(0.5).toFixed(0)} ms, p99 ${pick(0.99).toFixed(0)} ms`,
  );
  console.log(
    `Slack calls per execution: ${(poster.calls / EXECUTIONS).toFixed(2)} (post + updates + failure thread replies), for ${(unique / EXECUTIONS).toFixed(0)} events each`,
  );
  console.log(
    `shown with their final status: ${poster.shownFinal.size} of ${EXECUTIONS}; still pending in the inbox: ${await store.events.pendingCount()}`,
  );
  events.stop();
  await http.close();
  await store.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
