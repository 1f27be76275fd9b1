import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACK_QUIET_MS,
  afterSlackAcks,
  guardSlackRequests,
  type ReplayLedger,
} from '../../../src/bot/slack/request-guard.js';
import { createLogger } from '../../../src/logger.js';
import { type HttpService, startHttpServer } from '../../../src/ops/http-server.js';
import { postSigned } from '../../support/fake-slack.js';

const SECRET = 'guard-test-signing-secret';
const log = createLogger({ level: 'silent' });
const fresh: ReplayLedger = { claim: async () => true };

let http: HttpService | undefined;
afterEach(async () => {
  await http?.close();
  http = undefined;
});

/** The guard in front of `next`, served over HTTP; resolves to its URL. */
async function serve(next: (response: ServerResponse) => void): Promise<string> {
  const guard = guardSlackRequests((_request, response) => next(response), {
    signingSecret: SECRET,
    replays: fresh,
    log,
  });
  http = await startHttpServer(0, log, [{ path: '/slack/events', handler: guard }]);
  return `http://127.0.0.1:${http.port}/slack/events`;
}

describe('the Slack request guard', () => {
  it('finds a percent-encoded payload field too, and refuses a null one', async () => {
    const url = await serve((response) => response.end());
    expect((await postSigned(url, SECRET, '%70ayload=null')).status).toBe(400);
    expect((await postSigned(url, SECRET, 'x=1&pay%6Coad=%5B1%5D')).status).toBe(400);
    expect((await postSigned(url, SECRET, 'command=%2Fpipeline-schedule&text=list')).status).toBe(
      200,
    );
  });

  it('holds work after the ack while a Slack request waits for its answer, at most as long as asked', async () => {
    const held: ServerResponse[] = [];
    const url = await serve((response) => held.push(response));
    const request = postSigned(url, SECRET, 'command=%2Fpipeline-schedule&text=list');
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    const started = performance.now();
    await afterSlackAcks(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);

    let released = false;
    const waiting = afterSlackAcks(5000).then(() => {
      released = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(released).toBe(false);
    held[0]?.end();
    expect((await request).status).toBe(200);
    const answered = performance.now();
    await waiting;
    // Released once the burst is over: no request for ACK_QUIET_MS, not the 5 s.
    expect(performance.now() - answered).toBeLessThan(ACK_QUIET_MS + 500);
  });
});
