import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestListener } from 'node:http';
import type { Logger } from '../logger.js';
import type { EventInbox } from '../notifications/inbox.js';

/** EventBridge events are at most 256 KB; a bigger body is not one. */
export const MAX_EVENT_BYTES = 256 * 1024;

/**
 * POST /aws/events — what an EventBridge API destination calls. The API key is compared in
 * constant time; the event is stored before the 2xx (duplicates answer 2xx too, so EventBridge
 * stops retrying them); a malformed body is 400 (not retried), too large 413, no key 401. A
 * store failure is 500, which EventBridge retries.
 */
export function eventsEndpoint(options: {
  apiKey: string;
  inbox: EventInbox;
  log: Logger;
}): RequestListener {
  const expected = digest(options.apiKey);
  return (request, response) => {
    const reply = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'POST') {
      reply(405, { error: 'POST an EventBridge event here' });
      return;
    }
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || !timingSafeEqual(digest(key), expected)) {
      options.log.warn(
        { remote: request.socket.remoteAddress },
        'event refused: missing or wrong API key',
      );
      request.resume();
      reply(401, { error: 'missing or wrong x-api-key' });
      return;
    }
    if (Number(request.headers['content-length'] ?? 0) > MAX_EVENT_BYTES) {
      request.resume();
      reply(413, { error: `an event is at most ${MAX_EVENT_BYTES} bytes` });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_EVENT_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => {
      if (tooLarge) {
        reply(413, { error: `an event is at most ${MAX_EVENT_BYTES} bytes` });
        return;
      }
      options.inbox
        .ingest(Buffer.concat(chunks).toString('utf8'), 'http')
        .then((result) =>
          result.ok
            ? reply(200, { stored: true, duplicate: result.duplicate })
            : reply(400, { error: result.reason }),
        )
        .catch((error: unknown) => {
          options.log.error({ err: error }, 'storing an event failed');
          reply(500, { error: 'could not store the event; EventBridge will retry' });
        });
    });
  };
}

/** Equal-length inputs for timingSafeEqual, whatever the key's length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
