import type { Logger } from '../logger.js';
import type { StartedBy } from '../scheduling/attribution.js';
import type { Tick } from '../scheduling/ticks.js';
import {
  type ExecutionLinks,
  type ExecutionState,
  pipelineNameFromArn,
} from './execution-state.js';
import { StoredInbox } from './inbox.js';
import type { NotificationMetrics } from './notification-metrics.js';
import type { NotificationStorage } from './notification-store.js';
import { type ChatMessage, type ChatPoster, Notifier, type Route } from './notifier.js';

/** Waits this long after an event arrives before rendering, so a burst becomes one update. */
const COALESCE_MS = 250;
/** A look at the inbox even when nothing announced an event (another replica stored it). */
const SWEEP_MS = 2000;

export interface Notifications {
  inbox: StoredInbox;
  notifier?: Notifier;
  /** Looks at the inbox soon (after this process became the leader, say). */
  kick(): void;
  stop(): void;
}

/**
 * The event path: an inbox that stores first, and (where there is somewhere to post) the
 * notifier that works from it. Slack in Slack mode, the terminal in terminal mode.
 */
export function startNotifications(options: {
  store: NotificationStorage;
  log: Logger;
  /** Where the inbox and the notifier count what they do; nowhere when unset. */
  metrics?: NotificationMetrics;
  poster?: ChatPoster;
  /**
   * An execution's message from its state and links (the view's executionMessage): given by
   * the composition root, since the views live on the Slack side.
   */
  render: (state: ExecutionState, links: ExecutionLinks) => ChatMessage;
  /** The failure reply for the thread, mentioning whom it concerns (the view's failureReply). */
  renderFailure: (state: ExecutionState, concerns?: string) => ChatMessage;
  /** A missed run's message (the view's missedRunMessage). */
  renderTick?: (tick: Tick) => ChatMessage;
  /** Channels every pipeline's executions go to, beside subscriptions (the policy's notify). */
  defaultRoutes: (pipelineName: string) => Route[];
  /** The values an execution ran with, from the back end. */
  parametersOf?: (executionArn: string) => Promise<Array<{ name: string; value: string }>>;
  /** What started an execution, from the scheduling service. */
  startedByOf?: (executionArn: string) => Promise<StartedBy>;
  paceMs?: number;
  /** The clock (epoch ms) the notifier judges news by; the system's when unset. */
  now?: () => number;
  /** Whether this process may post now (the leading replica); always when unset. */
  active?: () => boolean;
}): Notifications {
  const { store, log } = options;
  let notifier: Notifier | undefined;
  let pending: NodeJS.Timeout | undefined;
  const kick = () => {
    if (!notifier || pending || (options.active && !options.active())) return;
    pending = setTimeout(() => {
      pending = undefined;
      notifier
        ?.process()
        .catch((error: unknown) => log.error({ err: error }, 'processing events failed'));
    }, COALESCE_MS);
    pending.unref();
  };
  const inbox = new StoredInbox(store, log.child({ component: 'events' }), options.metrics, kick);
  let sweeper: NodeJS.Timeout | undefined;
  if (options.poster) {
    notifier = new Notifier({
      store,
      poster: options.poster,
      log: log.child({ component: 'notifier' }),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.paceMs !== undefined ? { paceMs: options.paceMs } : {}),
      ...(options.now ? { now: options.now } : {}),
      routes: async (pipelineName) => {
        const routes = new Map<string, Route>();
        for (const route of options.defaultRoutes(pipelineName)) routes.set(route.channel, route);
        // Where the pipeline's triggers were asked for: the people who care are there.
        if (
          options.poster &&
          options.defaultRoutes(pipelineName).every((r) => r.channel !== 'terminal')
        ) {
          for (const channel of await store.triggerRecords.channelsFor(pipelineName)) {
            if (!routes.has(channel)) routes.set(channel, { channel, filter: 'all' });
          }
        }
        for (const sub of await store.subscriptions.list(pipelineName))
          routes.set(sub.channel, { channel: sub.channel, filter: sub.filter });
        return [...routes.values()];
      },
      render: (state) => options.render(state, linksFor(state)),
      ...(options.renderTick ? { renderTick: options.renderTick } : {}),
      ...(options.parametersOf ? { parametersOf: options.parametersOf } : {}),
      ...(options.startedByOf ? { startedByOf: options.startedByOf } : {}),
      renderFailure: async (state) => {
        const trigger = scheduleKeyOf(state);
        const record = trigger ? await store.triggerRecords.get('schedule', trigger) : undefined;
        return options.renderFailure(state, record?.createdBy);
      },
    });
    sweeper = setInterval(kick, SWEEP_MS);
    sweeper.unref();
    kick();
  }
  return {
    inbox,
    ...(notifier ? { notifier } : {}),
    kick,
    stop() {
      if (pending) clearTimeout(pending);
      if (sweeper) clearInterval(sweeper);
    },
  };
}

/**
 * The schedule that started an execution (`group/name`), for its creator's record: from
 * attribution, else from the local engine's description of its own runs.
 */
function scheduleKeyOf(state: ExecutionState): string | undefined {
  const s = state.startedBy;
  if (s?.kind === 'schedule') return `${s.group}/${s.name}`;
  if (s) return undefined;
  return /schedule ([^\s]+\/[^\s]+)$/.exec(state.description ?? '')?.[1];
}

/** The trigger to offer Pause for: the ref a command takes. */
function triggerRefOf(state: ExecutionState): string | undefined {
  const s = state.startedBy;
  if (s?.kind === 'schedule' || s?.kind === 'rule') return s.ref;
  if (s) return undefined;
  return scheduleKeyOf(state)?.split('/').at(-1);
}

function linksFor(state: ExecutionState): ExecutionLinks {
  const trigger = triggerRefOf(state);
  const region = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):/.exec(state.executionArn)?.[1];
  const id = state.executionArn.split('/').at(-1) ?? '';
  // The local back end's region has no console to open.
  const consoleUrl =
    region && region !== 'local-1'
      ? `https://${region}.console.aws.amazon.com/sagemaker/home?region=${region}#/pipelines/${encodeURIComponent(pipelineNameFromArn(state.pipelineArn))}/executions/${encodeURIComponent(id)}`
      : undefined;
  return {
    ...(trigger ? { trigger } : {}),
    ...(consoleUrl ? { consoleUrl } : {}),
  };
}
