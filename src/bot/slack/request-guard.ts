import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Logger } from '../../logger.js';

/** Slack's replay window: a request signed more than five minutes away from now is refused. */
export const MAX_CLOCK_SKEW_S = 300;
/** Slack's payloads are a few KiB; a modal with every field filled stays well under this. */
export const MAX_SLACK_BODY_BYTES = 1024 * 1024;

/** How long without a new Slack request counts as the end of a burst. */
export const ACK_QUIET_MS = 20;
/** The longest work after an ack waits for a burst to pass: steady traffic cannot starve it. */
export const ACK_QUIET_MAX_WAIT_MS = 1000;

/** Slack requests this process is still to answer, and when the last one came (all guards). */
const acks = { pending: 0, lastArrival: Number.NEGATIVE_INFINITY };
let quiet: Promise<void> | undefined;

/**
 * Resolves once no Slack request is waiting for its acknowledgement and none came for
 * ACK_QUIET_MS, or after `maxWaitMs`: work that follows an ack (store reads, rendering, the
 * response_url call) runs between bursts instead of delaying the acks of the burst.
 */
export function afterSlackAcks(maxWaitMs = ACK_QUIET_MAX_WAIT_MS): Promise<void> {
  // One timer for all the waiters, however many.
  quiet ??= untilQuiet().finally(() => {
    quiet = undefined;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, maxWaitMs);
  });
  return Promise.race([quiet, timeout]).finally(() => clearTimeout(timer));
}

async function untilQuiet(): Promise<void> {
  for (;;) {
    // Requests already read are handled (and acknowledged) before this looks.
    await new Promise((resolve) => setImmediate(resolve));
    const since = performance.now() - acks.lastArrival;
    if (acks.pending === 0 && since >= ACK_QUIET_MS) return;
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, ACK_QUIET_MS - since)));
  }
}

export interface ReplayLedger {
  /** True the first time a key is seen before it expires; false for a replay. */
  claim(key: string, expiresAt: Date): Promise<boolean>;
}

/**
 * Stands in front of Bolt's receiver and lets through only requests that are Slack's, fresh,
 * new and well formed:
 * - the timestamp is whole seconds within five minutes either way (Bolt accepts any number,
 *   `Infinity` and future times included);
 * - the signature is checked here too, so nothing unsigned reaches the replay ledger;
 * - a signature already seen is a replay: answered 200 and ignored, on every replica (the
 *   ledger is the store);
 * - the body must be what Slack sends (a form, its `payload` a JSON object, or a JSON object):
 *   Bolt throws on `payload=null` or a JSON `null` outside any handler, which would end the
 *   process.
 * This is the only signature check: Bolt's own is off (slack/app.ts), so this guard must stay in
 * front of the receiver. Each request counts as
 * waiting for its answer until its response closes, for `afterSlackAcks`.
 */
export function guardSlackRequests(
  next: RequestListener,
  options: { signingSecret: string; replays: ReplayLedger; log: Logger; now?: () => number },
): RequestListener {
  const now = options.now ?? Date.now;
  const log = options.log.child({ component: 'slack-guard' });
  const refuse = (response: ServerResponse, status: number, reason: string, fields = {}) => {
    log.warn({ status, ...fields }, `slack request refused: ${reason}`);
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end(reason);
  };
  return (request, response) => {
    acks.pending++;
    acks.lastArrival = performance.now();
    // 'close' comes after the answer, or when the client went away: never left counted.
    response.once('close', () => {
      acks.pending--;
    });
    if (request.method !== 'POST') {
      next(request, response);
      return;
    }
    readBody(request, MAX_SLACK_BODY_BYTES)
      .then(async (body) => {
        if (body === undefined) {
          refuse(response, 413, `a Slack request is at most ${MAX_SLACK_BODY_BYTES} bytes`);
          return;
        }
        const contentType = header(request, 'content-type');
        // Slack's certificate check comes unsigned and carries nothing to act on.
        if (isSslCheck(contentType, body)) {
          response.writeHead(200);
          response.end();
          return;
        }
        const timestampHeader = header(request, 'x-slack-request-timestamp');
        const signature = header(request, 'x-slack-signature');
        if (timestampHeader === undefined || !/^\d{1,12}$/.test(timestampHeader) || !signature) {
          refuse(response, 401, 'missing or malformed Slack signature headers');
          return;
        }
        const timestamp = Number(timestampHeader);
        if (Math.abs(now() / 1000 - timestamp) > MAX_CLOCK_SKEW_S) {
          refuse(response, 401, 'the request timestamp is more than five minutes away from now', {
            timestamp,
          });
          return;
        }
        if (!validSignature(options.signingSecret, timestampHeader, body, signature)) {
          refuse(response, 401, 'the signature does not match');
          return;
        }
        const shape = checkShape(contentType, body);
        if (shape) {
          refuse(response, 400, shape);
          return;
        }
        const fresh = await options.replays.claim(
          `slack-signature:${signature}`,
          new Date((timestamp + MAX_CLOCK_SKEW_S + 60) * 1000),
        );
        if (!fresh) {
          log.warn({ timestamp }, 'replayed Slack request ignored: this signature was seen before');
          response.writeHead(200);
          response.end();
          return;
        }
        // Bolt reads `rawBody` when it is already there instead of the consumed stream.
        (request as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
        next(request, response);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'checking a Slack request failed');
        if (!response.headersSent) {
          response.writeHead(503);
          response.end();
        }
      });
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function validSignature(secret: string, timestamp: string, body: Buffer, signature: string) {
  const expected = Buffer.from(
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function isSslCheck(contentType: string | undefined, body: Buffer): boolean {
  // Cheap test first: every request passes here, and almost none is a certificate check.
  return (
    body.includes('ssl_check=') &&
    formType(contentType) &&
    parseQuery(body.toString('utf8')).ssl_check === '1'
  );
}

function formType(contentType: string | undefined): boolean {
  return (
    (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded'
  );
}

/** Why the body is not something Slack sends, or undefined when it is. */
function checkShape(contentType: string | undefined, body: Buffer): string | undefined {
  if (formType(contentType)) {
    // A slash command has no payload: no need to parse the form Bolt parses again.
    if (!mayHavePayload(body)) return undefined;
    const form = parseQuery(body.toString('utf8'));
    if (form.payload === undefined) return undefined;
    if (typeof form.payload !== 'string') return 'the form has more than one payload';
    return isJsonObject(form.payload) ? undefined : 'payload must be a JSON object';
  }
  if ((contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json')
    return isJsonObject(body.toString('utf8')) ? undefined : 'the body must be a JSON object';
  return 'Slack sends forms or JSON';
}

const PERCENT = 0x25;
const EQUALS = 0x3d;
const AMPERSAND = 0x26;

/**
 * Whether a form may have a `payload` field: it says "payload", or one of its field names is
 * percent-encoded (`%70ayload` is `payload` too, once decoded).
 */
function mayHavePayload(body: Buffer): boolean {
  if (body.includes('payload')) return true;
  let inName = true;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (byte === EQUALS) inName = false;
    else if (byte === AMPERSAND) inName = true;
    else if (byte === PERCENT && inName) return true;
  }
  return false;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** The whole body, or undefined once it passes `limit` bytes (the rest is not read). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        resolve(undefined);
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!over) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}
