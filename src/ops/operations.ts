import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { metrics, recordSlackAck, registry } from './metrics.js';

/** How long a readiness check may wait on the store or the back end. */
const READY_TIMEOUT_MS = 2000;

/**
 * GET /readyz: the store answers and the back end is reachable (a one-item list of the bot's
 * schedules). 503 with what failed, so a load balancer stops sending work here.
 */
export function readyzHandler(runtime: Runtime, group: string, log: Logger): RequestListener {
  return (_request, response) => {
    const check = async (name: string, work: () => Promise<unknown>) => {
      try {
        await withTimeout(work(), READY_TIMEOUT_MS);
        return { name, ok: true as const };
      } catch (error) {
        return {
          name,
          ok: false as const,
          error: error instanceof Error ? error.message : String(error),
        };
      }
    };
    Promise.all([
      check('store', () => runtime.store.ping()),
      check('backend', () =>
        runtime.backend.schedules
          .list({ group, maxResults: 1 })
          .catch((error: { code?: string }) => {
            // A group that does not exist yet is a reachable back end.
            if (error.code !== 'NOT_FOUND') throw error;
          }),
      ),
    ])
      .then((checks) => {
        const ok = checks.every((c) => c.ok);
        if (!ok) log.warn({ checks }, 'not ready');
        response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: ok ? 'ready' : 'not ready', checks }));
      })
      .catch(() => {
        response.writeHead(503).end();
      });
  };
}

/** GET /metrics in Prometheus text format; the outbox depth is read at scrape time. */
export function metricsHandler(runtime: Runtime): RequestListener {
  return (_request, response) => {
    runtime.store.events
      .pendingCount()
      .then((depth) => metrics.outboxDepth.set(depth))
      .catch(() => {})
      .then(() => registry.metrics())
      .then((text) => {
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(text);
      })
      .catch(() => {
        response.writeHead(500).end();
      });
  };
}

/**
 * Counts Slack requests by kind and times their acknowledgement (the HTTP answer is the ack).
 * Keeps the body's first chunk as it arrives and reads its kind only once answered: nothing
 * is decoded or matched before the ack.
 */
export function instrumentSlack(next: RequestListener): RequestListener {
  return (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    let head: Buffer | undefined;
    // Inline, unnamed: tsx gives every named closure its name again each time one is made.
    request.once('data', (chunk: Buffer) => {
      head = chunk;
    });
    response.once('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      const kind = head ? kindOf(head.toString('latin1', 0, Math.min(head.length, 512))) : 'other';
      recordSlackAck(kind, response.statusCode, seconds);
    });
    next(request, response);
  };
}

function kindOf(head: string): string {
  if (head.startsWith('{')) return 'event';
  if (/(^|&)command=/.test(head)) return 'command';
  const type = /payload=%7B.*?%22type%22%3A%22([a-z_]+)%22/.exec(head)?.[1];
  if (type === 'block_actions') return 'action';
  if (type === 'view_submission' || type === 'view_closed') return 'view';
  if (type === 'block_suggestion') return 'options';
  return type ?? 'other';
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
