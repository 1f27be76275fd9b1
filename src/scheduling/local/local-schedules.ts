import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from '../../logger.js';
import { TriggerError } from '../errors.js';
import { occurrenceBounds, parseExpression } from '../expression/index.js';
import type { DeadLetter, PipelinesPort, SchedulesPort } from '../ports.js';
import {
  type Page,
  type PageRequest,
  type ScheduleRecord,
  type ScheduleSummary,
  type ScheduleTrigger,
  startsPipeline,
} from '../triggers.js';
import type { Clock } from './clock.js';
import { MAX_TIMER_MS } from './clock.js';
import {
  type Due,
  dueOf,
  latest,
  occurrenceAfter,
  retryDelay,
  type Slot,
  withContext,
} from './firing.js';
import type { LocalStateRepository } from './local-state.js';
import { MinHeap } from './min-heap.js';
import {
  deserialize,
  keyOf,
  revisionOf,
  type StoredSchedule,
  scheduleArn,
  serialize,
  validateName,
  validateSchedule,
} from './stored-schedule.js';

export interface FiringReport {
  key: string;
  scheduledTime: number;
  firedAt: number;
  attempt: number;
  outcome: 'started' | 'retrying' | 'dead-lettered';
  executionArn?: string;
  error?: string;
}

const MAX_CACHED_EXPRESSIONS = 10_000;

const DEFAULT_GROUP = 'default';

/** How far back sync() looks before its watermark; above SQLite's 5 s busy timeout. */
const SYNC_OVERLAP_MS = 30_000;

/**
 * The embedded stand-in for EventBridge Scheduler: it stores schedules like the service does
 * (same validation, same errors, UpdateSchedule replaces everything) and fires each enabled
 * schedule at its occurrences. One timer serves every schedule: a min-heap of the next due
 * instant of each, re-armed after each firing.
 *
 * The occurrences are those describe prints (occurrenceBounds, shared with the preview): a
 * rate() without a start first runs in the second it was created. An occurrence the engine
 * learns of late — a schedule a CLI process wrote, picked up by sync(); one that fell due while
 * the service was down — is fired late rather than never, if it is younger than the schedule's
 * maximum event age, as Scheduler's retries would have; one from before the schedule's current
 * definition was written (created, or updated: a resume does not replay the paused runs) never.
 *
 * A restart loses nothing and fires nothing twice: each firing starts the pipeline with a client
 * token derived from the schedule and the occurrence (a repeat is a no-op), and the last fired
 * occurrence is saved.
 */
export class LocalSchedules implements SchedulesPort {
  private readonly heap = new MinHeap<Due>();
  private readonly versions = new Map<string, number>();
  /** What the engine keeps in memory per schedule: enough to find its next occurrence. */
  private readonly slots = new Map<string, Slot>();
  private timer: unknown;
  private timerDue = Number.POSITIVE_INFINITY;
  private running = false;
  private firing: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(report: FiringReport) => void>();
  private readonly expressions = new Map<string, ReturnType<typeof parseExpression>>();
  /** The newest write to the schedules table this engine has seen. */
  private watermark = 0;

  constructor(
    private readonly state: LocalStateRepository,
    private readonly pipelines: PipelinesPort,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Loads every schedule from the store and starts firing. */
  async start(): Promise<void> {
    this.running = true;
    let after: string | undefined;
    for (;;) {
      const rows = await this.state.list('schedules', {
        ...(after ? { after } : {}),
        limit: 5000,
      });
      for (const row of rows) {
        this.enqueue(row.key, JSON.parse(row.json) as StoredSchedule);
        this.watermark = Math.max(this.watermark, row.updatedAt.getTime());
      }
      if (rows.length < 5000) break;
      after = rows[rows.length - 1]?.key;
    }
    this.arm();
  }

  /** Stops the timer and waits for a firing in progress. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    await this.firing;
  }

  /**
   * Picks up schedules another process (a one-shot CLI command) wrote since the last look: new ones
   * are queued, changed ones re-queued. Deletions are noticed when a schedule falls due. A
   * schedule deleted and created again under the same name starts again at version 1: the
   * revision includes its creation instant, so the new one is not taken for the old.
   */
  async sync(): Promise<void> {
    // Rows written since a little before the newest write seen: a CLI process stamps its row
    // before it commits (and may wait out a lock meanwhile), so a row stamped earlier than one
    // already seen can still arrive. Rows seen again are skipped by their revision.
    const rows = await this.state.list('schedules', {
      updatedSince: new Date(this.watermark - SYNC_OVERLAP_MS),
    });
    for (const row of rows) {
      this.watermark = Math.max(this.watermark, row.updatedAt.getTime());
      const stored = JSON.parse(row.json) as StoredSchedule;
      if (this.slots.get(row.key)?.revision === revisionOf(stored)) continue;
      this.enqueue(row.key, stored);
    }
    this.arm();
  }

  onFiring(listener: (report: FiringReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get pending(): number {
    return this.heap.size;
  }

  async ensureGroup(group: string): Promise<void> {
    validateName(group, 'group');
    await this.state.insert('groups', {
      key: group,
      json: '{}',
      updatedAt: new Date(this.clock.now()),
    });
  }

  async create(schedule: ScheduleTrigger, clientToken: string): Promise<{ arn: string }> {
    await this.requireGroup(schedule.group);
    validateSchedule(schedule);
    const key = keyOf(schedule.group, schedule.name);
    const arn = scheduleArn(schedule.group, schedule.name);
    // The same token again is a retry of the same request: answer as the first call did.
    const claim = `${key}#${randomUUID()}`;
    const owner = await this.state.claimToken('scheduler-create', clientToken, claim);
    if (owner !== claim) {
      if (owner.startsWith(`${key}#`) && (await this.state.get('schedules', key))) return { arn };
      throw new TriggerError(
        'CONFLICT',
        `client token ${clientToken} was already used for another request`,
        { key },
      );
    }
    const now = new Date(this.clock.now()).toISOString();
    const stored: StoredSchedule = {
      record: { ...serialize(schedule), arn, createdAt: now, modifiedAt: now },
      version: 1,
    };
    const inserted = await this.state.insert('schedules', {
      key,
      ref: schedule.pipelineName.toLowerCase(),
      json: JSON.stringify(stored),
      updatedAt: new Date(now),
    });
    if (!inserted) {
      throw new TriggerError(
        'ALREADY_EXISTS',
        `a schedule named ${schedule.name} already exists in group ${schedule.group}`,
        { key },
      );
    }
    this.enqueue(key, stored);
    this.arm();
    return { arn };
  }

  async get(group: string, name: string): Promise<ScheduleRecord> {
    return deserialize((await this.load(group, name)).record);
  }

  async update(schedule: ScheduleTrigger, _clientToken: string): Promise<{ arn: string }> {
    validateSchedule(schedule);
    const current = await this.load(schedule.group, schedule.name);
    const key = keyOf(schedule.group, schedule.name);
    const stored: StoredSchedule = {
      record: {
        ...serialize(schedule),
        arn: current.record.arn,
        createdAt: current.record.createdAt,
        modifiedAt: new Date(this.clock.now()).toISOString(),
      },
      ...(current.lastFired !== undefined ? { lastFired: current.lastFired } : {}),
      version: current.version + 1,
    };
    await this.state.put('schedules', {
      key,
      ref: schedule.pipelineName.toLowerCase(),
      json: JSON.stringify(stored),
      updatedAt: new Date(this.clock.now()),
    });
    this.enqueue(key, stored);
    this.arm();
    return { arn: current.record.arn };
  }

  async delete(group: string, name: string, _clientToken: string): Promise<void> {
    const key = keyOf(group, name);
    if (!(await this.state.delete('schedules', key))) {
      throw new TriggerError('NOT_FOUND', `schedule ${name} was not found in group ${group}`, {
        key,
      });
    }
    this.forget(key);
  }

  async list(
    query: PageRequest & { group: string; namePrefix?: string },
  ): Promise<Page<ScheduleSummary>> {
    await this.requireGroup(query.group);
    const size = Math.min(Math.max(query.maxResults ?? 100, 1), 100);
    const rows = await this.state.list('schedules', {
      keyPrefix: keyOf(query.group, query.namePrefix ?? ''),
      ...(query.nextToken ? { after: query.nextToken } : {}),
      limit: size + 1,
    });
    const items = rows.slice(0, size).map((row) => {
      const { record } = JSON.parse(row.json) as StoredSchedule;
      return {
        name: record.name,
        group: record.group,
        arn: record.arn,
        state: record.state,
        targetArn: record.pipelineArn,
        ...(record.modifiedAt ? { modifiedAt: new Date(record.modifiedAt) } : {}),
      };
    });
    const last = rows[size - 1];
    return { items, ...(rows.length > size && last ? { nextToken: last.key } : {}) };
  }

  /**
   * Many schedules share an expression ("cron(0 8 ? * MON-FRI *)"): parse and compile each text
   * once, so 100,000 schedules hold a few hundred expression objects, not 100,000.
   */
  private parse(text: string): ReturnType<typeof parseExpression> {
    let parsed = this.expressions.get(text);
    if (!parsed) {
      parsed = parseExpression(text);
      if (this.expressions.size >= MAX_CACHED_EXPRESSIONS) this.expressions.clear();
      this.expressions.set(text, parsed);
    }
    return parsed;
  }

  async listGroups(): Promise<string[]> {
    const groups = (await this.state.list('groups')).map((row) => row.key);
    return [...new Set([DEFAULT_GROUP, ...groups])].sort();
  }

  private async requireGroup(group: string): Promise<void> {
    // Every account has the default group, where the SageMaker SDK puts its schedules.
    if (group !== DEFAULT_GROUP && !(await this.state.get('groups', group))) {
      throw new TriggerError('NOT_FOUND', `schedule group ${group} does not exist`, { group });
    }
  }

  private async load(group: string, name: string): Promise<StoredSchedule> {
    const row = await this.state.get('schedules', keyOf(group, name));
    if (!row)
      throw new TriggerError('NOT_FOUND', `schedule ${name} was not found in group ${group}`, {
        group,
        name,
      });
    return JSON.parse(row.json) as StoredSchedule;
  }

  private forget(key: string): void {
    this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
    this.slots.delete(key);
  }

  /**
   * Puts the schedule's next firing in the heap: the first occurrence after the last one fired,
   * not from before its definition was written, and not older than its maximum event age.
   */
  private enqueue(key: string, stored: StoredSchedule): void {
    const record = stored.record;
    const parsed = this.parse(record.expression);
    if (!parsed.ok) {
      this.log.warn(
        { key, expression: record.expression },
        'stored schedule has an invalid expression; not firing it',
      );
      return;
    }
    const version = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, version);
    const bounds = occurrenceBounds(parsed.expression.kind, {
      ...(record.start ? { start: new Date(record.start) } : {}),
      ...(record.end ? { end: new Date(record.end) } : {}),
      createdAt: new Date(record.createdAt),
      modifiedAt: new Date(record.modifiedAt),
    });
    // A firing of the same schedule may be under way, its lastFired not saved yet.
    const previous = this.slots.get(key);
    const lastFired = latest(
      stored.lastFired,
      previous?.incarnation === record.createdAt ? previous.lastFired : undefined,
    );
    const slot: Slot = {
      expression: parsed.expression,
      timeZone: record.timeZone,
      ...(bounds.start !== undefined ? { start: bounds.start } : {}),
      ...(bounds.end !== undefined ? { end: bounds.end } : {}),
      ...(record.flexibleWindowMinutes ? { window: record.flexibleWindowMinutes } : {}),
      revision: revisionOf(stored),
      incarnation: record.createdAt,
      ...(lastFired !== undefined ? { lastFired } : {}),
    };
    this.slots.set(key, slot);
    // A Lambda, SQS, … target is someone else's: nothing here can invoke it, and pretending
    // to would start a pipeline that is not its target.
    if (record.state !== 'ENABLED' || !startsPipeline(record)) return;
    const maxAge = record.retryPolicy.maximumEventAgeSeconds * 1000;
    const after = Math.max(
      lastFired ?? Number.NEGATIVE_INFINITY,
      (bounds.earliest ?? Number.NEGATIVE_INFINITY) - 1,
      this.clock.now() - maxAge,
    );
    const next = occurrenceAfter(slot, after);
    if (next !== undefined)
      this.heap.push({ due: dueOf(key, slot, next), key, occurrence: next, version, attempt: 1 });
  }

  private arm(): void {
    if (!this.running) return;
    const head = this.heap.peek();
    if (!head) return;
    if (this.timer !== undefined && head.due >= this.timerDue) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerDue = head.due;
    const wait = Math.min(Math.max(0, head.due - this.clock.now()), MAX_TIMER_MS);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Number.POSITIVE_INFINITY;
      this.firing = this.firing
        .then(() => this.fireDue())
        .catch((error: unknown) => this.log.error({ err: error }, 'local scheduler failed'));
    }, wait);
  }

  /** Fires everything due by now, in order, then re-arms the timer. */
  private async fireDue(): Promise<void> {
    while (this.running) {
      const head = this.heap.peek();
      if (!head || head.due > this.clock.now()) break;
      this.heap.pop();
      if (this.versions.get(head.key) !== head.version) continue;
      await this.fire(head);
    }
    this.arm();
  }

  private async fire(entry: Due): Promise<void> {
    // Read the schedule as it is now: another process may have changed or deleted it.
    const row = await this.state.get('schedules', entry.key);
    if (!row) {
      this.forget(entry.key);
      return;
    }
    const current = JSON.parse(row.json) as StoredSchedule;
    const slot = this.slots.get(entry.key);
    if (!slot || revisionOf(current) !== slot.revision) {
      this.enqueue(entry.key, current);
      this.arm();
      return;
    }
    const record = current.record;
    slot.lastFired = latest(slot.lastFired, entry.occurrence);
    const firedAt = this.clock.now();
    const report = (r: Omit<FiringReport, 'key' | 'scheduledTime' | 'firedAt' | 'attempt'>) => {
      for (const listener of this.listeners) {
        listener({
          key: entry.key,
          scheduledTime: entry.occurrence,
          firedAt,
          attempt: entry.attempt,
          ...r,
        });
      }
    };
    try {
      const { executionArn } = await this.pipelines.start({
        pipelineName: record.pipelineName,
        parameters: withContext(record.parameters, record.arn, entry),
        clientToken: createHash('sha256').update(`${record.arn}|${entry.occurrence}`).digest('hex'),
        description: `Started by EventBridge Scheduler schedule ${record.group}/${record.name}`,
      });
      report({ outcome: 'started', executionArn });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retry = retryDelay(entry, record.retryPolicy, this.clock.now());
      if (retry !== undefined) {
        this.heap.push({ ...entry, due: this.clock.now() + retry, attempt: entry.attempt + 1 });
        report({ outcome: 'retrying', error: message });
        return;
      }
      await this.deadLetter(entry, record, message);
      report({ outcome: 'dead-lettered', error: message });
    }
    await this.afterFiring(entry);
  }

  /** Saves how far the schedule got and queues its next occurrence (or deletes a finished at()). */
  private async afterFiring(entry: Due): Promise<void> {
    const slot = this.slots.get(entry.key);
    if (!slot || this.versions.get(entry.key) !== entry.version) return;
    // Read it again: another process may have changed, deleted or re-created the schedule while
    // it fired, and writing back the copy read before would undo that.
    const row = await this.state.get('schedules', entry.key);
    if (!row) {
      this.forget(entry.key);
      return;
    }
    const stored = JSON.parse(row.json) as StoredSchedule;
    if (revisionOf(stored) !== slot.revision) {
      this.enqueue(entry.key, stored);
      return;
    }
    const next = occurrenceAfter(slot, entry.occurrence);
    if (next === undefined && stored.record.deleteAfterCompletion) {
      await this.state.delete('schedules', entry.key);
      this.forget(entry.key);
      this.log.info(
        { schedule: entry.key },
        'completed schedule deleted (ActionAfterCompletion DELETE)',
      );
      return;
    }
    await this.state.put('schedules', {
      key: entry.key,
      ref: stored.record.pipelineName.toLowerCase(),
      json: JSON.stringify({ ...stored, lastFired: latest(stored.lastFired, entry.occurrence) }),
      updatedAt: new Date(this.clock.now()),
    });
    if (next !== undefined) {
      this.heap.push({
        due: dueOf(entry.key, slot, next),
        key: entry.key,
        occurrence: next,
        version: entry.version,
        attempt: 1,
      });
    }
  }

  /** The dead letter the engine wrote for one occurrence, as Scheduler's DLQ would hold it. */
  async deadLetterFor(
    schedule: { arn: string; group: string; name: string },
    occurrence: Date,
  ): Promise<DeadLetter | undefined> {
    const row = await this.state.get(
      'dead-letters',
      `${keyOf(schedule.group, schedule.name)}|${occurrence.getTime()}`,
    );
    if (!row) return undefined;
    const letter = JSON.parse(row.json) as { error?: string; attempts?: number };
    const error = letter.error ?? 'the invocation failed';
    // The engine keeps the error as the pipeline answered it: "<Code>: <message>" when coded.
    const coded = /^([A-Za-z.]+(?:Exception|Error|Denied)):\s*(.*)$/s.exec(error);
    return {
      scheduleArn: schedule.arn,
      scheduledTime: occurrence,
      ...(coded?.[1] ? { errorCode: coded[1] } : {}),
      errorMessage: coded?.[2] ?? error,
      ...(letter.attempts !== undefined ? { retryAttempts: letter.attempts - 1 } : {}),
    };
  }

  private async deadLetter(
    entry: Due,
    record: StoredSchedule['record'],
    error: string,
  ): Promise<void> {
    this.log.warn(
      {
        schedule: entry.key,
        scheduledTime: new Date(entry.occurrence).toISOString(),
        attempts: entry.attempt,
        deadLetterArn: record.deadLetterArn,
        error,
      },
      'schedule invocation failed for good',
    );
    await this.state.put('dead-letters', {
      key: `${entry.key}|${entry.occurrence}`,
      ref: entry.key,
      json: JSON.stringify({
        schedule: record.arn,
        scheduledTime: new Date(entry.occurrence).toISOString(),
        attempts: entry.attempt,
        error,
        deadLetterArn: record.deadLetterArn,
      }),
      updatedAt: new Date(this.clock.now()),
    });
  }
}
