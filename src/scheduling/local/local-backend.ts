import type { Logger } from '../../logger.js';
import type { Backend } from '../ports.js';
import { awsRequests } from '../requests.js';
import { type Clock, systemClock } from './clock.js';
import { LocalEventBus } from './event-bus.js';
import { LocalPipelines } from './local-pipelines.js';
import { LocalRules } from './local-rules.js';
import { LocalSchedules } from './local-schedules.js';
import type { LocalStateRepository } from './local-state.js';
import type { SimulatedPipeline } from './pipeline-catalog.js';

export interface LocalBackend extends Backend {
  kind: 'local';
  schedules: LocalSchedules;
  rules: LocalRules;
  pipelines: LocalPipelines;
  bus: LocalEventBus;
  /** Resumes running executions and starts firing schedules. */
  start(): Promise<void>;
  /** Stops timers; nothing in flight is lost (it resumes on the next start). */
  stop(): Promise<void>;
}

/** How often the engine looks for changes other processes made to the store. */
const SYNC_INTERVAL_MS = 2000;

/** The embedded back end: EventBridge Scheduler, rules, the default bus and SageMaker, in process. */
export function createLocalBackend(options: {
  /** Where the state lives: any store holding the local back end's repository (src/store's does). */
  store: { readonly local: LocalStateRepository };
  pipelines: SimulatedPipeline[];
  log: Logger;
  clock?: Clock;
  /** How often to look for other processes' changes; 0 turns it off. */
  syncIntervalMs?: number;
}): LocalBackend {
  const clock = options.clock ?? systemClock;
  const log = options.log.child({ backend: 'local' });
  const bus = new LocalEventBus((error, event) =>
    log.error({ err: error, eventId: event.id }, 'event listener failed'),
  );
  const pipelines = new LocalPipelines(options.pipelines, options.store.local, bus, clock, log);
  const schedules = new LocalSchedules(options.store.local, pipelines, clock, log);
  const rules = new LocalRules(options.store.local, pipelines, bus, clock, log);
  let syncTimer: unknown;
  const syncInterval = options.syncIntervalMs ?? SYNC_INTERVAL_MS;
  return {
    kind: 'local',
    schedules,
    rules,
    pipelines,
    bus,
    // The local back end stands in for AWS: a dry run shows what AWS would receive.
    requests: awsRequests,
    deadLetters: { find: (schedule, occurrence) => schedules.deadLetterFor(schedule, occurrence) },
    // Local roles are trusted by the simulated Scheduler and EventBridge alike; what a role may
    // not do is what the pipelines file says a start of the pipeline fails with.
    roles: {
      async check(request) {
        const failure = pipelines.startFailure(request.pipelineArn);
        return failure
          ? {
              status: 'failed',
              problems: [
                `it may not start this pipeline (startFails in the local pipelines file: ${failure})`,
              ],
            }
          : { status: 'passed' };
      },
    },
    async start() {
      await pipelines.resume();
      await schedules.start();
      await rules.startSchedules();
      // Other processes (the CLI) write to the same store; look for their changes regularly.
      const poll = async () => {
        await schedules.sync();
        await rules.rearmSchedules();
        await pipelines.sync();
      };
      const tick = () => {
        syncTimer = clock.setTimeout(() => {
          poll()
            .catch((error: unknown) => log.error({ err: error }, 'local back end sync failed'))
            .finally(() => {
              if (syncTimer !== undefined) tick();
            });
        }, syncInterval);
      };
      if (syncInterval > 0) tick();
    },
    async stop() {
      if (syncTimer !== undefined) clock.clearTimeout(syncTimer);
      syncTimer = undefined;
      await schedules.stop();
      await rules.stopSchedules();
      pipelines.close();
      rules.close();
    },
  };
}
