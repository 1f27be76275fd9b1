import type { StartedBy } from './attribution.js';

/**
 * What the bot knows for certain about the executions it started itself (`run`, Run now): who
 * asked, the request, the approvers and the channel. Kept by the store, read by attribution
 * before any matching.
 */
export interface ExecutionOrigin {
  executionArn: string;
  pipelineName: string;
  startedBy: Extract<StartedBy, { kind: 'run' }>;
  at: Date;
}

export interface ExecutionOriginRepository {
  /** The first record of an execution stays: a retried run starts (and records) it once. */
  put(origin: ExecutionOrigin): Promise<void>;
  get(executionArn: string): Promise<ExecutionOrigin | undefined>;
}
