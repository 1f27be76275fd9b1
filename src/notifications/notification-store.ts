import type { TickRepository } from '../scheduling/ticks.js';
import type { TriggerRecordRepository } from '../scheduling/trigger-records.js';

/**
 * What the event path keeps: the inbox of EventBridge events (stored before they are
 * answered), the one message per execution and channel with what it last showed, the channel
 * subscriptions, and where the bot posted the messages it updates later. `src/store`
 * implements it.
 */

/** An EventBridge event as received, before and after it is processed. */
export interface StoredEvent {
  id: string;
  receivedAt: Date;
  via: string;
  /** The event JSON exactly as received. */
  body: string;
}

/** The message that shows one execution in one channel, and what it last showed. */
export interface ExecutionMessage {
  /** The execution's ARN; a missed run's message is kept here too, under its tick's key. */
  executionArn: string;
  channel: string;
  ts?: string;
  /** The execution's state as the bot knows it (JSON), the reducer's output. */
  state: string;
  updatedAt: Date;
}

export interface Subscription {
  pipeline: string;
  channel: string;
  filter: 'all' | 'failures';
  createdBy?: string;
  createdAt: Date;
}

export interface MessageLocation {
  channel: string;
  ts: string;
}

/** The inbox of EventBridge events: stored (deduplicated by id) before they are answered. */
export interface StoredEventRepository {
  /** False when an event with this id was stored before (a duplicate delivery). */
  insert(event: StoredEvent): Promise<boolean>;
  /** Unprocessed events, oldest first. */
  pending(limit: number): Promise<StoredEvent[]>;
  markProcessed(ids: string[], at: Date): Promise<void>;
  /** How many wait to be processed (the outbox depth). */
  pendingCount(): Promise<number>;
}

export interface ExecutionMessageRepository {
  get(executionArn: string, channel: string): Promise<ExecutionMessage | undefined>;
  /** Creates or replaces the message of this execution in this channel. */
  put(message: ExecutionMessage): Promise<void>;
  /** Every channel's message of an execution, by channel. */
  listFor(executionArn: string): Promise<ExecutionMessage[]>;
}

/** Pipeline names compare without case: a subscription is kept under the lower-case name. */
export interface SubscriptionRepository {
  /** Creates or replaces the channel's subscription to the pipeline. */
  put(subscription: Subscription): Promise<void>;
  /** False when there was no such subscription. */
  delete(pipeline: string, channel: string): Promise<boolean>;
  /** One pipeline's subscriptions by channel, or all of them by pipeline and channel. */
  list(pipeline?: string): Promise<Subscription[]>;
}

/** Where the bot posted a message it will update later (an approval request, a run). */
export interface PostedMessageRepository {
  /** The latest place wins. */
  put(key: string, location: MessageLocation): Promise<void>;
  get(key: string): Promise<MessageLocation | undefined>;
}

/**
 * Everything the event path reads and writes; the trigger records say which channels a
 * pipeline's triggers were asked in, and who made a schedule whose run failed.
 */
export interface NotificationStorage {
  events: StoredEventRepository;
  executionMessages: ExecutionMessageRepository;
  subscriptions: SubscriptionRepository;
  triggerRecords: Pick<TriggerRecordRepository, 'get' | 'channelsFor'>;
  /** The schedules' missed runs still to tell; none are told when unset. */
  ticks?: Pick<TickRepository, 'untold' | 'markTold'>;
}
