import type { Logger } from '../../logger.js';
import type { Store } from '../../store/store.js';
import { awsRequests } from '../aws/requests.js';
import type { Backend } from '../ports.js';
import { type Clock, systemClock } from './clock.js';
import { LocalEventBus } from './event-bus.js';
import { LocalPipelines } from './local-pipelines.js';
import { LocalRules } from './local-rules.js';
import { LocalSchedules } from './local-schedules.js';
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

/** The embedded back end: EventBridge Scheduler, rules, the default bus and SageMaker, in process. */
export function createLocalBackend(options: {
  store: Store;
  pipelines: SimulatedPipeline[];
  log: Logger;
  clock?: Clock;
}): LocalBackend {
  const clock = options.clock ?? systemClock;
  const log = options.log.child({ backend: 'local' });
  const bus = new LocalEventBus((error, event) =>
    log.error({ err: error, eventId: event.id }, 'event listener failed'),
  );
  const pipelines = new LocalPipelines(options.pipelines, options.store, bus, clock, log);
  const schedules = new LocalSchedules(options.store, pipelines, clock, log);
  const rules = new LocalRules(options.store, pipelines, bus, clock, log);
  return {
    kind: 'local',
    schedules,
    rules,
    pipelines,
    bus,
    // The local back end stands in for AWS: a dry run shows what AWS would receive.
    requests: awsRequests,
    async start() {
      await pipelines.resume();
      await schedules.start();
    },
    async stop() {
      await schedules.stop();
      pipelines.close();
      rules.close();
    },
  };
}
