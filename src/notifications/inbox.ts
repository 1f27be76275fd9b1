import type { Logger } from '../logger.js';
import { parseEvent } from './events.js';
import {
  type EventVia,
  type NotificationMetrics,
  noNotificationMetrics,
} from './notification-metrics.js';
import type { NotificationStorage } from './notification-store.js';

export type IngestResult = { ok: true; duplicate: boolean } | { ok: false; reason: string };

/** Where events come in: POST /aws/events, the SQS queue, the local bus. */
export interface EventInbox {
  ingest(body: string, via: EventVia): Promise<IngestResult>;
}

/**
 * Stores an event before anyone is told it arrived: a 2xx (or an SQS delete) only follows a
 * write, so a crash loses nothing; the id makes a second delivery a no-op. Processing happens
 * later, from the store.
 */
export class StoredInbox implements EventInbox {
  constructor(
    private readonly store: NotificationStorage,
    private readonly log: Logger,
    private readonly metrics: NotificationMetrics = noNotificationMetrics,
    private readonly onStored: () => void = () => {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  async ingest(body: string, via: EventVia): Promise<IngestResult> {
    const parsed = parseEvent(body);
    if (!parsed.ok) {
      this.log.warn({ via, reason: parsed.reason }, 'event refused');
      this.metrics.eventReceived('refused', via);
      return parsed;
    }
    const stored = await this.store.events.insert({
      id: parsed.envelope.id,
      receivedAt: this.now(),
      via,
      body,
    });
    this.metrics.eventReceived(stored ? 'received' : 'deduplicated', via);
    // Once per event: a new delivery of the same id is not news.
    if (stored && parsed.oddities.length > 0)
      this.log.warn(
        {
          eventId: parsed.envelope.id,
          source: parsed.envelope.source,
          detailType: parsed.envelope['detail-type'],
          oddities: parsed.oddities,
          via,
        },
        'event stored and shown as received: some fields are not as documented',
      );
    if (stored) this.onStored();
    return { ok: true, duplicate: !stored };
  }
}
