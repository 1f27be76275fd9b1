import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryIdentities } from '../../../src/auth/identity.js';
import { SlackUserGroups } from '../../../src/bot/slack/user-groups.js';

/** A stand-in for Slack's Web API: the one boundary we cannot reach from here. */
let server: Server;
let url = '';
const calls: Array<{ method: string; body: string; authorization: string | undefined }> = [];
const members: Record<string, string[]> = {
  S0APPROVERS: ['U0LEAD1', 'U0LEAD2'],
  S0ML: ['U0ALICE'],
};

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const method = (request.url ?? '').replace('/api/', '');
      calls.push({ method, body, authorization: request.headers.authorization });
      const group = new URLSearchParams(body).get('usergroup') ?? '';
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          members[group]
            ? { ok: true, users: members[group] }
            : { ok: false, error: 'no_such_subteam' },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('who belongs to which Slack user group', () => {
  it('asks usergroups.users.list once per group, and remembers the answer briefly', async () => {
    let now = 0;
    const client = new WebClient('xoxb-test', { slackApiUrl: url, retryConfig: { retries: 0 } });
    const identities = new DirectoryIdentities(
      new SlackUserGroups(client),
      () => ['S0APPROVERS', 'S0ML'],
      60_000,
      () => now,
    );
    expect(await identities.identify('U0LEAD2')).toEqual({
      userId: 'U0LEAD2',
      groupIds: ['S0APPROVERS'],
    });
    expect(await identities.identify('U0ALICE')).toEqual({ userId: 'U0ALICE', groupIds: ['S0ML'] });
    expect(
      calls.map((c) => [c.method, new URLSearchParams(c.body).get('usergroup'), c.authorization]),
    ).toEqual([
      ['usergroups.users.list', 'S0APPROVERS', 'Bearer xoxb-test'],
      ['usergroups.users.list', 'S0ML', 'Bearer xoxb-test'],
    ]);
    now = 61_000;
    members.S0APPROVERS = ['U0LEAD1'];
    expect(await identities.identify('U0LEAD2')).toEqual({ userId: 'U0LEAD2', groupIds: [] });
    expect(calls).toHaveLength(4);
  });

  it('reports a group Slack does not know as an error, never as "no members"', async () => {
    const client = new WebClient('xoxb-test', { slackApiUrl: url, retryConfig: { retries: 0 } });
    await expect(new SlackUserGroups(client).members('S0GONE')).rejects.toThrow(/no_such_subteam/);
  });
});
