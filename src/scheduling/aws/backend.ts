import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { noSchedulingMetrics, type SchedulingMetrics } from '../metrics.js';
import type { Backend, DeadLetterRepository } from '../ports.js';
import { awsRequests } from '../requests.js';
import { storedDeadLetters } from './dead-letter-event.js';
import { AwsPipelines } from './pipelines.js';
import { AwsRoles } from './roles.js';
import { AwsRules } from './rules.js';
import { AwsSchedules } from './schedules.js';

export interface AwsBackendOptions {
  /** Unset: the SDK resolves it (AWS_REGION, profile, instance metadata). */
  region?: string;
  /** Ready-made clients, for tests or shared configuration. */
  schedulerClient?: SchedulerClient;
  eventBridgeClient?: EventBridgeClient;
  sageMakerClient?: SageMakerClient;
  /** Where failed AWS calls are counted; nowhere by default. */
  metrics?: SchedulingMetrics;
  iamClient?: IAMClient;
  /** Told when the bot may not read IAM, so execution roles go unchecked (logged once). */
  onRolesUnreadable?: (reason: string) => void;
  /** The dead-letter events read from the queue (DEAD_LETTER_QUEUE_URL) and stored. */
  deadLetters?: DeadLetterRepository;
}

/**
 * The AWS back end on the SDK v3 clients. Clients are built with nothing but the region, so
 * the default credential chain and the standard endpoint variables (AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_SCHEDULER, …) apply: people point the bot at VPC endpoints or a stand-in.
 */
export function createAwsBackend(options: AwsBackendOptions = {}): Backend {
  const config = options.region ? { region: options.region } : {};
  const metrics = options.metrics ?? noSchedulingMetrics;
  return {
    kind: 'aws',
    schedules: new AwsSchedules(options.schedulerClient ?? new SchedulerClient(config), metrics),
    rules: new AwsRules(options.eventBridgeClient ?? new EventBridgeClient(config), metrics),
    pipelines: new AwsPipelines(options.sageMakerClient ?? new SageMakerClient(config), metrics),
    requests: awsRequests,
    roles: new AwsRoles(options.iamClient ?? new IAMClient(config), options.onRolesUnreadable),
    ...(options.deadLetters ? { deadLetters: storedDeadLetters(options.deadLetters) } : {}),
  };
}
