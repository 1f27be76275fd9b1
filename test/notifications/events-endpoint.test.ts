import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { StoredInbox } from '../../src/notifications/inbox.js';
import { eventsEndpoint, MAX_EVENT_BYTES } from '../../src/ops/events-endpoint.js';
import { type HttpService, startHttpServer } from '../../src/ops/http-server.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { executionEvent } from './fixtures.js';

const KEY = 'a-long-shared-secret-for-events';
let store: Store;
let http: HttpService;
let url = '';

beforeEach(async () => {
  store = openSqliteStore('sqlite::memory:');
  const log = createLogger({ level: 'silent' });
  http = await startHttpServer(0, log, [
    {
      path: '/aws/events',
      handler: eventsEndpoint({ apiKey: KEY, inbox: new StoredInbox(store, log), log }),
    },
  ]);
  url = `http://127.0.0.1:${http.port}/aws/events`;
});
afterEach(async () => {
  await http.close();
  await store.close();
});

const post = (body: string, key: string | null = KEY) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body,
  });

describe('POST /aws/events', () => {
  it('stores an event before answering 2xx, and answers a duplicate 2xx without storing it twice', async () => {
    const event = JSON.stringify(executionEvent('e1', 'x1', 'Executing'));
    const first = await post(event);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ stored: true, duplicate: false });
    expect((await store.events.pending(10)).map((e) => [e.id, e.via])).toEqual([['e1', 'http']]);
    expect(await (await post(event)).json()).toEqual({ stored: true, duplicate: true });
    expect(await store.events.pendingCount()).toBe(1);
  });

  it('accepts events of other kinds, for whoever subscribed to them', async () => {
    const other = {
      version: '0',
      id: 'o1',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '1',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: { key: 'a' },
    };
    expect((await post(JSON.stringify(other))).status).toBe(200);
  });

  it.each([
    ['no key', null, 401],
    ['a wrong key', 'not-the-key', 401],
    ['a key that only shares a prefix', `${KEY}x`, 401],
  ])('refuses %s with 401 and stores nothing', async (_name, key, status) => {
    expect((await post(JSON.stringify(executionEvent('e1', 'x1', 'Executing')), key)).status).toBe(
      status,
    );
    expect(await store.events.pendingCount()).toBe(0);
  });

  it.each([
    ['not JSON', '{"id": ', /not JSON/],
    ['no envelope', '{"hello": "world"}', /not an EventBridge event/],
  ])('answers 400 for %s', async (_name, body, reason) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(reason);
  });

  it('answers 413 for a body larger than an event can be, and 405 for a GET', async () => {
    expect((await post('x'.repeat(MAX_EVENT_BYTES + 1))).status).toBe(413);
    expect((await fetch(url)).status).toBe(405);
  });
});
