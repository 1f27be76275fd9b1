import type { Logger } from '../logger.js';
import type { StartedBy } from '../scheduling/attribution.js';
import type { Tick } from '../scheduling/ticks.js';
import { type PipelineEvent, parseEvent } from './events.js';
import { applyEvent, type ExecutionState, readExecutionState } from './execution-state.js';
import { type NotificationMetrics, noNotificationMetrics } from './notification-metrics.js';
import type { ExecutionMessage, NotificationStorage, StoredEvent } from './notification-store.js';

/** A chat message: fallback text and Block Kit blocks (a terminal prints the text). */
export interface ChatMessage {
  /**
   * mrkdwn, escaped by the view that built it (execution-message.ts): Slack notifies from it, so
   * posters send it as it is, and nothing from an event may reach it unescaped.
   */
  text: string;
  blocks?: unknown[];
}

/** Where execution messages go: Slack, or the terminal. */
export interface ChatPoster {
  /** `executionArn` is attached to the message (Slack message metadata) so `find` can see it. */
  post(
    channel: string,
    message: ChatMessage,
    options?: { threadTs?: string; executionArn?: string },
  ): Promise<{ ts: string }>;
  update(channel: string, ts: string, message: ChatMessage): Promise<void>;
  /** The message already posted for this execution since `since`, if any (after a crash). */
  find(channel: string, executionArn: string, since: number): Promise<string | undefined>;
}

/** A row whose message is being posted: the post may have happened before a crash. */
const POSTING = 'posting:';

/** Slack said 429: wait this long before the next call to that channel. */
export class RateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`rate limited for ${retryAfterSeconds} s`);
  }
}

export interface Route {
  channel: string;
  filter: 'all' | 'failures';
}

export interface NotifierDeps {
  store: NotificationStorage;
  poster: ChatPoster;
  /** The channels that follow a pipeline (subscriptions, the policy's defaults, …). */
  routes(pipelineName: string): Promise<Route[]>;
  render(state: ExecutionState): ChatMessage;
  /** A missed run's message, or (once a retry started it) its "started late" version. */
  renderTick?(tick: Tick): ChatMessage;
  /** The values an execution ran with (DescribePipelineExecution), shown in its message. */
  parametersOf?(executionArn: string): Promise<Array<{ name: string; value: string }>>;
  /** What started an execution (the scheduling service's attribution), shown in its message. */
  startedByOf?(executionArn: string): Promise<StartedBy>;
  /**
   * The failure reply for the thread, mentioning whom it concerns; built by a view
   * (failureReply), since the failure reason is event text that must be escaped.
   */
  renderFailure(state: ExecutionState): Promise<ChatMessage>;
  log: Logger;
  /** Where the Slack calls are counted; nowhere when unset. */
  metrics?: NotificationMetrics;
  /** Minimum time between two calls to one channel (Slack: about one message a second). */
  paceMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const BATCH = 500;
/** A missed run recorded longer ago than this (no one could post it then) is not told. */
const UNTOLD_MAX_AGE_MS = 6 * 3600_000;

/**
 * The key of a missed run's message, beside the executions' (whose keys are ARNs): one message
 * per occurrence per channel, found again by it after a crash.
 */
export function tickKey(tick: Pick<Tick, 'triggerKey' | 'occurrence'>): string {
  return `tick:${tick.triggerKey}@${tick.occurrence.toISOString()}`;
}

/**
 * Turns stored events into one live message per execution per channel. Works from the store's
 * inbox in batches: every event of a batch is folded into its execution's state first, then each
 * changed message is rendered once (twenty step events in a second make one update), paced per
 * channel, and only then are the events marked processed — a crash repeats renders, never loses
 * an event, and the state's ordering rules keep a late event from showing an older status.
 */
export class Notifier {
  private readonly lastCall = new Map<string, number>();
  private readonly channelQueues = new Map<string, Promise<void>>();
  private running: Promise<void> | undefined;
  private again = false;
  readonly stats = {
    processed: 0,
    rendered: 0,
    posted: 0,
    updated: 0,
    rateLimited: 0,
    failures: 0,
  };

  private readonly metrics: NotificationMetrics;

  constructor(private readonly deps: NotifierDeps) {
    this.metrics = deps.metrics ?? noNotificationMetrics;
  }

  /** Processes everything pending; concurrent calls fold into one run (and one more after it). */
  process(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (await this.processBatch()) {
            // keep draining
          }
          await this.tellTicks();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async processBatch(): Promise<boolean> {
    const events = await this.deps.store.events.pending(BATCH);
    if (events.length === 0) return false;
    const byExecution = new Map<string, PipelineEvent[]>();
    for (const event of events) {
      const pipelineEvent = toPipelineEvent(event);
      if (!pipelineEvent) continue;
      const arn = pipelineEvent.detail.pipelineExecutionArn;
      byExecution.set(arn, [...(byExecution.get(arn) ?? []), pipelineEvent]);
    }
    const jobs: Array<Promise<void>> = [];
    for (const [arn, executionEvents] of byExecution) {
      const pipelineName = executionEvents[0] ? pipelineNameOf(executionEvents[0]) : '';
      for (const route of await this.deps.routes(pipelineName)) {
        jobs.push(this.paced(route.channel, () => this.show(arn, route, executionEvents)));
      }
    }
    const results = await Promise.allSettled(jobs);
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0) {
      // Leave the batch pending: the next run repeats it (renders are idempotent).
      for (const f of failed)
        this.deps.log.error(
          { err: (f as PromiseRejectedResult).reason },
          'execution message failed; will retry',
        );
      this.stats.failures += failed.length;
      this.metrics.slackCall('error', failed.length);
      await this.sleep(1000);
      return false;
    }
    await this.deps.store.events.markProcessed(
      events.map((e) => e.id),
      new Date(this.now()),
    );
    this.stats.processed += events.length;
    return events.length === BATCH;
  }

  /** Folds the events into the channel's message state and shows the result. */
  private async show(arn: string, route: Route, events: PipelineEvent[]): Promise<void> {
    const store = this.deps.store;
    const row = await store.executionMessages.get(arn, route.channel);
    const before = row ? readExecutionState(row.state) : undefined;
    let state = before;
    for (const event of events) state = applyEvent(state, event);
    if (!state) return;
    if (!state.parameters && this.deps.parametersOf) {
      // Events do not carry parameters: ask once; when the back end cannot tell, show none.
      state = {
        ...state,
        parameters: (await this.deps.parametersOf(arn).catch(() => undefined)) ?? [],
      };
    }
    if (!state.startedBy && this.deps.startedByOf) {
      // Asked once per execution and channel; when it cannot be told now, the next event asks.
      const startedBy = await this.deps.startedByOf(arn).catch(() => undefined);
      if (startedBy) state = { ...state, startedBy };
    }
    if (route.filter === 'failures' && state.status !== 'Failed' && !row?.ts) {
      await store.executionMessages.put({
        executionArn: arn,
        channel: route.channel,
        state: JSON.stringify(state),
        updatedAt: new Date(this.now()),
      });
      return;
    }
    const message = this.deps.render(state);
    const { ts, sent } = await this.place(
      arn,
      route.channel,
      message,
      row,
      row?.state ?? JSON.stringify(state),
      () =>
        before !== undefined &&
        JSON.stringify(this.deps.render(before)) === JSON.stringify(message),
    );
    await this.remember(arn, route.channel, ts, JSON.stringify(state));
    if (!sent) return;
    this.stats.rendered++;
    // A failure also goes into the thread, so the people it concerns are notified.
    if (state.status === 'Failed' && before?.status !== 'Failed') {
      const reply = await this.deps.renderFailure(state);
      await this.call(route.channel, () =>
        this.deps.poster.post(route.channel, reply, { threadTs: ts }),
      );
    }
  }

  /**
   * Tells the trigger's channels of missed runs, and turns a miss that a retry started after
   * all into "started late" in the same message. A tick is marked told only once every channel
   * has it, so a leader that dies halfway leaves it to the next (which finds what was posted).
   */
  private async tellTicks(): Promise<void> {
    const { ticks } = this.deps.store;
    const render = this.deps.renderTick;
    if (!ticks || !render) return;
    for (const tick of await ticks.untold(BATCH)) {
      const stale = this.now() - tick.recordedAt.getTime() > UNTOLD_MAX_AGE_MS;
      // A miss nobody was told of needs no "started late" either; old news is not news.
      if ((tick.outcome === 'late' && !tick.told) || stale) {
        if (stale) this.deps.log.info({ tick: tickKey(tick) }, 'a missed run too old to tell');
        await ticks.markTold(tick);
        continue;
      }
      const key = tickKey(tick);
      const message = render(tick);
      const shown = JSON.stringify({
        outcome: tick.outcome,
        executionArn: tick.executionArn,
        reason: tick.reason,
      });
      const results = await Promise.allSettled(
        (await this.deps.routes(tick.pipelineName)).map((route) =>
          this.paced(route.channel, async () => {
            const row = await this.deps.store.executionMessages.get(key, route.channel);
            if (tick.outcome === 'late' && !row?.ts) return; // this channel never heard of it
            const { ts } = await this.place(
              key,
              route.channel,
              message,
              row,
              shown,
              () => row?.state === shown,
            );
            await this.remember(key, route.channel, ts, shown);
          }),
        ),
      );
      const failed = results.filter((r) => r.status === 'rejected');
      if (failed.length > 0) {
        for (const f of failed)
          this.deps.log.error(
            { err: (f as PromiseRejectedResult).reason, tick: key },
            'missed-run message failed; will retry',
          );
        this.stats.failures += failed.length;
        this.metrics.slackCall('error', failed.length);
        return;
      }
      await ticks.markTold(tick);
    }
  }

  /**
   * Shows a message as the one for `key` in a channel: posted once (with the key in its metadata,
   * so a crash between posting and remembering finds it instead of posting twice), updated after
   * unless `unchanged`. Returns where it is and whether Slack was called.
   */
  private async place(
    key: string,
    channel: string,
    message: ChatMessage,
    row: ExecutionMessage | undefined,
    state: string,
    unchanged: () => boolean,
  ): Promise<{ ts: string; sent: boolean }> {
    let ts = row?.ts;
    if (ts?.startsWith(POSTING)) {
      const since = Number(ts.slice(POSTING.length));
      ts = await this.call(channel, () => this.deps.poster.find(channel, key, since));
    }
    if (ts) {
      if (row?.ts === ts && unchanged()) return { ts, sent: false };
      const at = ts;
      await this.call(channel, () => this.deps.poster.update(channel, at, message));
      this.stats.updated++;
      this.metrics.slackCall('updated');
      return { ts, sent: true };
    }
    await this.deps.store.executionMessages.put({
      executionArn: key,
      channel,
      ts: `${POSTING}${this.now()}`,
      state,
      updatedAt: new Date(this.now()),
    });
    const posted = await this.call(channel, () =>
      this.deps.poster.post(channel, message, { executionArn: key }),
    );
    this.stats.posted++;
    this.metrics.slackCall('posted');
    return { ts: posted.ts, sent: true };
  }

  /** One Slack call, at most one per pace interval per channel, honouring Retry-After. */
  private async call<T>(channel: string, work: () => Promise<T>): Promise<T> {
    for (;;) {
      const wait = (this.lastCall.get(channel) ?? 0) + (this.deps.paceMs ?? 1000) - this.now();
      if (wait > 0) await this.sleep(wait);
      this.lastCall.set(channel, this.now());
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof RateLimited)) throw error;
        this.stats.rateLimited++;
        this.metrics.slackCall('rate_limited');
        this.deps.log.warn(
          { channel, retryAfter: error.retryAfterSeconds },
          'Slack rate limit: waiting',
        );
        await this.sleep(error.retryAfterSeconds * 1000);
      }
    }
  }

  /** Runs work for a channel one at a time; `call` spaces its Slack calls. */
  private paced(channel: string, work: () => Promise<void>): Promise<void> {
    const previous = this.channelQueues.get(channel) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    this.channelQueues.set(channel, next);
    return next;
  }

  /** What a channel's message shows now, kept for the next update. */
  private remember(key: string, channel: string, ts: string, state: string) {
    return this.deps.store.executionMessages.put({
      executionArn: key,
      channel,
      ts,
      state,
      updatedAt: new Date(this.now()),
    });
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  private sleep(ms: number): Promise<void> {
    return this.deps.sleep?.(ms) ?? new Promise((resolve) => setTimeout(resolve, ms));
  }
}

function toPipelineEvent(event: StoredEvent): PipelineEvent | undefined {
  const parsed = parseEvent(event.body);
  return parsed.ok ? parsed.pipeline : undefined;
}

function pipelineNameOf(event: PipelineEvent): string {
  return /:pipeline\/([^/]+)/.exec(event.detail.pipelineArn)?.[1] ?? event.detail.pipelineArn;
}
