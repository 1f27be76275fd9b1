import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './pipeline-catalog.js';

/** An EventBridge event envelope, as rules and API destinations see it. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export type BusListener = (event: BusEvent) => void | Promise<void>;

/**
 * The local stand-in for the default event bus: publishers put events, listeners (the rule
 * matcher, the notifier) receive each one. A listener that fails does not stop the others.
 */
export class LocalEventBus {
  private readonly listeners = new Set<BusListener>();

  constructor(
    private readonly onListenerError: (error: unknown, event: BusEvent) => void = () => {},
  ) {}

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async publish(event: BusEvent): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }
}

/** Fills an envelope the way PutEvents does: id, account, region and time when absent. */
export function envelope(
  fields: Pick<BusEvent, 'source' | 'detail-type' | 'detail'> & Partial<BusEvent>,
  now: number,
): BusEvent {
  return {
    version: '0',
    id: fields.id ?? randomUUID(),
    'detail-type': fields['detail-type'],
    source: fields.source,
    account: fields.account ?? LOCAL_ACCOUNT,
    time:
      fields.time ?? new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region: fields.region ?? LOCAL_REGION,
    resources: fields.resources ?? [],
    detail: fields.detail,
  };
}

/** The local back end's event bus as commands use it (put-event). */
export interface LocalEventsPort {
  /** The event as the bus will carry it, and the pipelines its enabled rules would start. */
  prepare(event: Record<string, unknown>): Promise<PreparedEvent>;
  /** Publishes it, unless an event with its id was received before. */
  publish(event: PreparedEvent): Promise<{ duplicate: boolean }>;
}

export interface PreparedEvent {
  id: string;
  source: string;
  detailType: string;
  pipelines: string[];
  /** The envelope itself, opaque here. */
  event: unknown;
}
