import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RequestPayload } from './auth/access.js';
import { AccessControl } from './auth/access.js';
import type { ApprovalRequest } from './auth/approval-store.js';
import type { ExecutionOutcome } from './auth/approvals.js';
import { findRule } from './auth/authorize.js';
import { ConfiguredIdentities, type IdentityPort } from './auth/identity.js';
import { isPermissive, loadPolicy, PERMISSIVE_POLICY_NOTE, type Policy } from './auth/policy.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { ChatMessage, ChatPoster, Route } from './notifications/notifier.js';
import { queueArnOf } from './notifications/sqs-event-source.js';
import { type Notifications, startNotifications } from './notifications/wiring.js';
import { approvalMetrics, metrics, notificationMetrics } from './ops/metrics.js';
import { createAwsBackend } from './scheduling/aws/backend.js';
import { type BusEvent, envelope, type LocalEventsPort } from './scheduling/local/event-bus.js';
import { loadForeignTriggers, seedForeignTriggers } from './scheduling/local/foreign-triggers.js';
import { createLocalBackend, type LocalBackend } from './scheduling/local/local-backend.js';
import { loadPipelineCatalog } from './scheduling/local/pipeline-catalog.js';
import type { SchedulingMetrics } from './scheduling/metrics.js';
import type { Backend } from './scheduling/ports.js';
import { SchedulingService } from './scheduling/scheduling-service.js';
import type { Tick } from './scheduling/ticks.js';
import { openPostgresStore } from './store/postgres-store.js';
import { SqliteLeadTaken } from './store/sqlite-lead.js';
import { openSqliteStore } from './store/sqlite-store.js';
import type { Store } from './store/store.js';

/** The example pipelines shipped with the product, used when LOCAL_PIPELINES_FILE is unset. */
export const SHIPPED_PIPELINES_FILE = fileURLToPath(
  new URL('../examples/local-pipelines.yml', import.meta.url),
);

export const SHIPPED_POLICY_FILE = fileURLToPath(new URL('../policy.yml', import.meta.url));

const SWEEP_INTERVAL_MS = 60_000;
/** How far back a new leader looks for missed runs. */
const RUN_WATCH_LOOKBACK_MS = 3600_000;
/** How long a schedule's ticks are kept (a rate(1 minute) one keeps 43,200), and how often the old go. */
const TICK_RETENTION_MS = 30 * 86_400_000;
const TICK_PRUNE_INTERVAL_MS = 3600_000;
/** How often a replica that does not lead checks whether the leader is gone. */
const LEAD_RETRY_MS = 5_000;

/** The execution role local triggers use when a command names none: nothing checks it locally. */
export const LOCAL_DEFAULT_ROLE = 'arn:aws:iam::000000000000:role/LocalPipelineScheduler';

export interface Runtime {
  store: Store;
  /** Where EventBridge events come in (POST /aws/events, SQS, the local bus). */
  events: Notifications;
  access: AccessControl;
  /** The policy's execution-role aliases, alias → ARN. */
  roleAliases: Record<string, string>;
  /** The role a trigger uses when nobody names one (the local back end's stand-in). */
  defaultRole?: string;
  backend: Backend;
  /** Set on the local back end. */
  local?: LocalBackend;
  service: SchedulingService;
  localEvents?: LocalEventsPort;
  close(): Promise<void>;
}

/** What running a command needs of the runtime (the chat front ends build on it). */
export type CommandHost = Pick<
  Runtime,
  'service' | 'localEvents' | 'access' | 'store' | 'roleAliases' | 'defaultRole'
>;

/** A message about a rule that matched an event but could not start its pipeline. */
export interface RuleFailure {
  rule: string;
  pipelineName: string;
  eventId: string;
  error: string;
}

/** The renderers of what the runtime posts by itself (it knows no chat format). */
export interface RuntimeMessages {
  execution: Parameters<typeof startNotifications>[0]['render'];
  failure: Parameters<typeof startNotifications>[0]['renderFailure'];
  /** A rule that matched an event but could not start its pipeline. */
  ruleFailure: (failure: RuleFailure) => ChatMessage;
  /** A schedule's run that did not start (or started late, after all). */
  missedRun: (tick: Tick) => ChatMessage;
}

/** Counts of the domain modules, on the service's Prometheus series. */
const schedulingMetrics: SchedulingMetrics = {
  triggerChanged: (action, kind) => metrics.triggers.inc({ action, kind }),
  awsCallFailed: (service, code) => metrics.awsErrors.inc({ service, code }),
};

/**
 * Opens the store and the back end the configuration names. With `engine`, the local back end
 * fires schedules and advances executions (the service); without, it only reads and writes
 * state (a one-shot CLI command), and a running service picks the changes up.
 */
export async function openRuntime(
  config: Config,
  log: Logger,
  options: {
    engine: boolean;
    /**
     * Runs an approved request's stored command as its requester: the command layer knows how.
     * Called at decisions and by recovery, possibly before openRuntime has returned.
     */
    executeApproved(
      payload: RequestPayload,
      requestId: string,
      host: CommandHost,
    ): Promise<ExecutionOutcome>;
    /** Who belongs to which user group; Slack's directory in Slack mode, configuration otherwise. */
    identities?: (policy: () => Policy) => IdentityPort;
    /** Where execution messages go (Slack or the terminal) and whom they go to by default. */
    notify?: {
      poster: ChatPoster;
      defaultRoutes?: (pipelineName: string) => Route[];
      paceMs?: number;
    };
    /** How the runtime's messages read: the chat front end's views. */
    messages: RuntimeMessages;
    /**
     * Told of each approval request that recovery (at start, on taking over the lead, and
     * every sweep) finished or closed: to update its approval message. Gets the store because
     * the first recovery may run before openRuntime has returned.
     */
    onRecovered?: (
      request: ApprovalRequest,
      outcome: ExecutionOutcome,
      store: Store,
    ) => Promise<void>;
  },
): Promise<Runtime> {
  const policy = loadPolicy(policyPath(config.policyFile));
  const identities =
    options.identities?.(() => policy) ?? new ConfiguredIdentities(config.localIdentities);
  const store = await openStore(config.databaseUrl);
  try {
    if (config.backend === 'aws') {
      let rolesUnreadableSaid = false;
      const deadLetterArn = config.deadLetterQueueUrl && queueArnOf(config.deadLetterQueueUrl);
      if (config.deadLetterQueueUrl && !deadLetterArn)
        log.warn(
          { deadLetterQueueUrl: config.deadLetterQueueUrl },
          'DEAD_LETTER_QUEUE_URL is not an SQS queue URL the bot can name as an ARN: new schedules get no dead-letter queue by default',
        );
      const backend = createAwsBackend({
        ...(config.awsRegion ? { region: config.awsRegion } : {}),
        metrics: schedulingMetrics,
        deadLetters: store.deadLetters,
        // Said once: every create would say it again otherwise, and it is the operator's to fix.
        onRolesUnreadable: (reason) => {
          if (rolesUnreadableSaid) return;
          rolesUnreadableSaid = true;
          log.warn({ reason }, 'execution roles are not checked: the bot may not read IAM');
        },
      });
      return withAccess({
        store,
        backend,
        service: new SchedulingService(backend, store, {
          group: config.scheduleGroup,
          watch: config.watch,
          metrics: schedulingMetrics,
          missedGraceMs: config.missedRuns.graceMs,
          ...(deadLetterArn ? { deadLetterArn } : {}),
        }),
        close: () => store.close(),
      });
    }
    const pipelines = loadPipelineCatalog(config.localPipelinesFile ?? SHIPPED_PIPELINES_FILE);
    const local = createLocalBackend({ store, pipelines, log });
    if (config.localForeignTriggers) {
      const added = await seedForeignTriggers(
        local,
        loadForeignTriggers(config.localForeignTriggers),
      );
      log.info(
        { file: config.localForeignTriggers, ...added },
        'put in the triggers made elsewhere that were not there yet',
      );
    }
    return withAccess({
      store,
      backend: local,
      local,
      service: new SchedulingService(local, store, {
        group: config.scheduleGroup,
        watch: config.watch,
        metrics: schedulingMetrics,
        missedGraceMs: config.missedRuns.graceMs,
      }),
      localEvents: {
        async prepare(event) {
          const full = envelope(
            {
              ...(event as Partial<BusEvent>),
              source: typeof event.source === 'string' ? event.source : 'pipeline-schedule.test',
              'detail-type':
                typeof event['detail-type'] === 'string' ? event['detail-type'] : 'Test Event',
              detail:
                event.detail && typeof event.detail === 'object'
                  ? (event.detail as Record<string, unknown>)
                  : {},
            },
            Date.now(),
          );
          const rules = await local.rules.matching(full);
          return {
            event: full,
            id: full.id,
            source: full.source,
            detailType: full['detail-type'],
            pipelines: [...new Set(rules.flatMap((r) => r.targets.map((t) => t.pipelineName)))],
          };
        },
        async publish(prepared) {
          await local.bus.publish(prepared.event as BusEvent);
          return { duplicate: false };
        },
      },
      async close() {
        await local.stop();
        await store.close();
      },
    });
  } catch (error) {
    await store.close();
    throw error;
  }

  /** Adds the access policy, the approval workflow and the per-person command context. */
  async function withAccess(
    base: Omit<Runtime, 'access' | 'events' | 'roleAliases' | 'defaultRole'>,
  ): Promise<Runtime> {
    // An event id seen before is not published again: the person is told so, instead of
    // seeing the old execution's status as if it had run again.
    const localEvents: LocalEventsPort | undefined = base.localEvents && {
      prepare: base.localEvents.prepare,
      async publish(prepared) {
        const received = await events.inbox.ingest(JSON.stringify(prepared.event), 'local');
        if (received.ok && received.duplicate) return { duplicate: true };
        return (base.localEvents as LocalEventsPort).publish(prepared);
      },
    };
    const roles = {
      roleAliases: Object.fromEntries(policy.executionRoles),
      ...(config.backend === 'local' ? { defaultRole: LOCAL_DEFAULT_ROLE } : {}),
    };
    const access: AccessControl = new AccessControl({
      metrics: approvalMetrics,
      policy: () => policy,
      identities,
      store: base.store,
      now: () => new Date(),
      execute: (payload, requestId) =>
        options.executeApproved(payload, requestId, {
          service: base.service,
          ...(localEvents ? { localEvents } : {}),
          access,
          store: base.store,
          ...roles,
        }),
    });
    if (isPermissive(policy)) log.warn({ policyFile: policy.source }, PERMISSIVE_POLICY_NOTE);
    // Events: stored first, then shown; the local back end's events take the same path.
    const notify = options.engine ? options.notify : undefined;
    // With several replicas on one PostgreSQL, one leads: it alone fires schedules and posts
    // execution messages; the others take requests and store events, and take over if it dies.
    let leading = false;
    const defaultRoutes =
      notify?.defaultRoutes ??
      ((pipelineName: string): Route[] =>
        (findRule(policy, { pipelineName })?.notify ?? []).map((channel) => ({
          channel,
          filter: 'all' as const,
        })));
    const events = startNotifications({
      metrics: notificationMetrics,
      render: options.messages.execution,
      renderFailure: options.messages.failure,
      renderTick: options.messages.missedRun,
      store: base.store,
      log,
      active: () => leading,
      ...(notify ? { poster: notify.poster } : {}),
      ...(notify?.paceMs !== undefined ? { paceMs: notify.paceMs } : {}),
      parametersOf: async (arn) => (await base.backend.pipelines.describeExecution(arn)).parameters,
      startedByOf: (arn) => base.service.startedBy(arn),
      defaultRoutes,
    });
    if (notify && base.local) {
      // A rule matched but its pipeline did not start: the rule's channel hears it, with why.
      const poster = notify.poster;
      base.local.rules.onTarget(async (report) => {
        if (report.outcome !== 'failed' || !leading) return;
        const record = await base.store.triggerRecords.get('event', report.rule);
        const channels = new Set([
          ...(record?.channelId ? [record.channelId] : []),
          ...defaultRoutes(report.pipelineName).map((route) => route.channel),
        ]);
        const message = options.messages.ruleFailure({
          rule: report.rule,
          pipelineName: report.pipelineName,
          eventId: report.eventId,
          error: report.error ?? 'unknown error',
        });
        for (const channel of channels)
          await poster
            .post(channel, message)
            .catch((error: unknown) =>
              log.warn({ err: error, channel, rule: report.rule }, 'posting a rule failure failed'),
            );
      });
    }
    if (options.engine && base.local) {
      base.local.bus.subscribe(async (event) => {
        await events.inbox.ingest(JSON.stringify(event), 'local');
      });
    }
    const ready = {
      ...base,
      ...(localEvents ? { localEvents } : {}),
      access,
      events,
      ...roles,
    };
    if (!options.engine) return ready;
    // The leader finishes approvals a crash left in between (and clicks acknowledged but never
    // counted), in the background so Slack is answered meanwhile; the workflow's compare-and-set
    // makes a pass safe beside live approvals on any replica.
    let recovering: Promise<void> | undefined;
    const recover = () => {
      recovering ??= access.workflow
        .recover()
        .then(async ({ finished, errors }) => {
          for (const { requestId, error } of errors)
            log.error({ err: error, requestId }, 'recovering an approval request failed');
          if (finished.length)
            log.info(
              { requests: finished.map((f) => ({ id: f.request.id, status: f.request.status })) },
              'approval requests recovered',
            );
          for (const { request, outcome } of finished)
            await options
              .onRecovered?.(request, outcome, base.store)
              .catch((error: unknown) =>
                log.warn(
                  { err: error, requestId: request.id },
                  'telling of a recovered request failed',
                ),
              );
        })
        .catch((error: unknown) => log.error({ err: error }, 'recovering approvals failed'))
        .finally(() => {
          recovering = undefined;
        });
    };
    // The service closes requests whose time is up, so the audit log says when they expired.
    const sweeper = setInterval(() => {
      access.workflow
        .sweep()
        .then((expired) => expired.length && log.info({ expired }, 'approval requests expired'))
        .catch((error: unknown) => log.error({ err: error }, 'sweeping expired requests failed'));
      if (leading) recover();
    }, SWEEP_INTERVAL_MS);
    sweeper.unref();
    // The leader looks for missed runs every minute. A new leader looks back an hour: the ticks
    // table records each occurrence once, so looking again tells nothing twice.
    let watchedUpTo: Date | undefined;
    let prunedAt = 0;
    let watching: Promise<void> | undefined;
    const watchRuns = () => {
      if (!leading || watching) return;
      const to = new Date();
      const from = watchedUpTo ?? new Date(to.getTime() - RUN_WATCH_LOOKBACK_MS);
      watching = base.service
        .watchRuns(from, to)
        .then(async (result) => {
          if (!result.ok) {
            log.warn({ error: result.error }, 'looking for missed runs failed; trying next minute');
            return;
          }
          watchedUpTo = to;
          // Each is told once in its trigger's channels, by the notifier, from the ticks table.
          for (const tick of result.value)
            log.warn(
              {
                schedule: tick.triggerKey,
                occurrence: tick.occurrence.toISOString(),
                outcome: tick.outcome,
                reason: tick.reason,
                executionArn: tick.executionArn,
              },
              tick.outcome === 'late' ? 'a missed run started late' : 'missed run',
            );
          if (result.value.length) events.kick();
          if (to.getTime() - prunedAt >= TICK_PRUNE_INTERVAL_MS) {
            prunedAt = to.getTime();
            const pruned = await base.store.ticks.pruneBefore(
              new Date(to.getTime() - TICK_RETENTION_MS),
            );
            if (pruned) log.info({ pruned }, 'forgot ticks past their retention');
          }
        })
        .catch((error: unknown) => log.error({ err: error }, 'looking for missed runs failed'))
        .finally(() => {
          watching = undefined;
        });
    };
    const runWatch = setInterval(watchRuns, config.missedRuns.watchIntervalMs);
    runWatch.unref();
    let release: (() => Promise<void>) | undefined;
    const tryToLead = async (first = false) => {
      if (leading) return;
      release = await base.store.lead('pipeline-schedule-worker').catch((error: unknown) => {
        // A second service on one SQLite file must not start at all: say who holds it.
        if (first && error instanceof SqliteLeadTaken) throw error;
        log.warn({ err: error }, 'could not try to lead; trying again shortly');
        return undefined;
      });
      if (!release) return;
      leading = true;
      log.info('this replica leads: it fires schedules and posts execution messages');
      await base.local?.start();
      events.kick();
      recover();
      watchRuns();
    };
    try {
      await tryToLead(true);
    } catch (error) {
      clearInterval(sweeper);
      clearInterval(runWatch);
      events.stop();
      await base.close();
      throw error;
    }
    const leader = setInterval(() => {
      tryToLead().catch((error: unknown) => log.error({ err: error }, 'trying to lead failed'));
    }, LEAD_RETRY_MS);
    leader.unref();
    return {
      ...ready,
      close: async () => {
        clearInterval(sweeper);
        clearInterval(leader);
        clearInterval(runWatch);
        await recovering;
        await watching;
        events.stop();
        await base.local?.stop();
        await release?.();
        await base.close();
      },
    };
  }
}

/** SQLite for one process, PostgreSQL for several replicas: DATABASE_URL decides. */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteStore(databaseUrl);
  try {
    return await openPostgresStore(databaseUrl);
  } catch (error) {
    throw new Error(
      `DATABASE_URL: cannot open the PostgreSQL store (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/**
 * POLICY_FILE as configured; the default ./policy.yml falls back to the permissive example
 * shipped beside the code when run from elsewhere.
 */
function policyPath(configured: string): string {
  if (configured === './policy.yml' && !existsSync(configured)) return SHIPPED_POLICY_FILE;
  return configured;
}
