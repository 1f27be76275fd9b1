import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../src/logger.js';
import { previewStoredSchedule } from '../../../src/scheduling/expression/index.js';
import type { Clock } from '../../../src/scheduling/local/clock.js';
import {
  createLocalBackend,
  type LocalBackend,
} from '../../../src/scheduling/local/local-backend.js';
import type { FiringReport } from '../../../src/scheduling/local/local-schedules.js';
import type { SimulatedPipeline } from '../../../src/scheduling/local/pipeline-catalog.js';
import {
  type CreateScheduleInput,
  SchedulingService,
} from '../../../src/scheduling/scheduling-service.js';
import type { ScheduleRecord } from '../../../src/scheduling/triggers.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';
import { settle } from '../../support/fake-clock.js';
import { ROLE, testPipelines } from '../../support/local-backend.js';

// Processes on one store and a clock that moves while code runs, for the tests that compare what
// describe prints with what the local engine fires.

export const GROUP = 'sagemaker-pipelines';

/**
 * A fake clock that also moves a millisecond each time it is read, as a real one does while the
 * code between two reads runs: the creation instant and the engine's "now" are never the same.
 */
export class SteppingClock implements Clock {
  private timers = new Map<number, { at: number; seq: number; callback: () => void }>();
  private seq = 0;

  constructor(
    private current: number,
    private readonly step = 1,
  ) {}

  now(): number {
    const now = this.current;
    this.current += this.step;
    return now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.current + Math.max(0, ms), seq: id, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time to `instant`, running every timer that falls due, and the work they start. */
  async advanceTo(instant: string | number): Promise<void> {
    const target = typeof instant === 'string' ? Date.parse(instant) : instant;
    for (;;) {
      await settle();
      const next = [...this.timers.values()]
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.timers.delete(next.seq);
      this.current = Math.max(this.current, next.at);
      next.callback();
    }
    this.current = Math.max(this.current, target);
    await settle();
  }
}

/** One process on the store: the service (its engine running), or a one-shot CLI command. */
export interface Process {
  backend: LocalBackend;
  store: Store;
  service: SchedulingService;
  close(): Promise<void>;
}

const open: Process[] = [];

/** Closes every process the test started (for afterEach). */
export async function closeAll(): Promise<void> {
  for (const p of open.splice(0)) await p.close();
}

export async function startProcess(
  databaseUrl: string,
  clock: Clock,
  kind: 'service' | 'cli',
  options: { pipelines?: SimulatedPipeline[]; syncIntervalMs?: number } = {},
): Promise<Process> {
  const store = openSqliteStore(databaseUrl);
  const backend = createLocalBackend({
    store,
    pipelines: options.pipelines ?? testPipelines,
    log: createLogger({ level: 'silent' }),
    clock,
    // The service looks for other processes' writes every 2 s, as it does in production.
    syncIntervalMs: kind === 'service' ? (options.syncIntervalMs ?? 2000) : 0,
  });
  if (kind === 'service') await backend.start();
  let closed = false;
  const p: Process = {
    backend,
    store,
    service: new SchedulingService(backend, store, { group: GROUP }),
    async close() {
      if (closed) return;
      closed = true;
      await backend.stop();
      await store.close();
    },
  };
  open.push(p);
  return p;
}

export function newDatabase(): string {
  return `sqlite:${join(mkdtempSync(join(tmpdir(), 'occurrences-')), 'bot.db')}`;
}

export function firings(p: Process): {
  reports: FiringReport[];
  fired: (name: string) => string[];
} {
  const reports: FiringReport[] = [];
  p.backend.schedules.onFiring((r) => reports.push(r));
  return {
    reports,
    fired: (name) =>
      reports
        .filter((r) => r.outcome === 'started' && r.key === `${GROUP}/${name}`)
        .map((r) => new Date(r.scheduledTime).toISOString()),
  };
}

export function value<T>(
  result: { ok: true; value: T } | { ok: false; error: { message: string } },
): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

export async function create(
  p: Process,
  clock: Clock,
  input: Partial<CreateScheduleInput> & { name: string; expression: string },
): Promise<{ record: ScheduleRecord; reply: string[] }> {
  const record = value(
    await p.service.createSchedule(
      {
        pipeline: 'churn-train',
        roleArn: ROLE,
        parameters: [{ name: 'InstanceType', value: '<aws.scheduler.scheduled-time>' }],
        ...input,
      },
      { requestId: randomUUID(), allowedRoles: 'any', now: new Date(clock.now()) },
    ),
  ) as ScheduleRecord;
  // What the reply to create lists: every run since the schedule was written.
  const preview = previewStoredSchedule(record, { now: new Date(clock.now()), fromWritten: true });
  if (!preview.ok) throw new Error(preview.error.message);
  return { record, reply: preview.preview.occurrences.map((d) => d.toISOString()) };
}

export async function nextRuns(p: Process, name: string, now: number): Promise<string[]> {
  const described = value(await p.service.describe(name, new Date(now)));
  if (described.kind !== 'schedule') throw new Error(`${name} is not a schedule`);
  return described.nextRuns.map((d) => d.toISOString());
}

export const ctx = (clock: Clock) => ({
  requestId: randomUUID(),
  allowedRoles: 'any' as const,
  now: new Date(clock.now()),
});
