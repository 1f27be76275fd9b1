import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../src/auth/approval-store.js';
import type { Tick } from '../../src/scheduling/ticks.js';
import type { Store } from '../../src/store/store.js';

/** What every store must do the same way; run against SQLite and PostgreSQL. */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    const request = (overrides: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
      id: `r-${Math.random().toString(36).slice(2)}`,
      payload: '{"name":"create"}',
      contentHash: 'h1',
      action: 'create',
      pipelineNames: ['prod-churn'],
      triggerName: 'churn-weekdays',
      requestedBy: 'U0ALICE',
      channelId: 'C0MLOPS',
      status: 'PENDING',
      requiredApprovals: 2,
      approverRoles: ['approvers'],
      createdAt: new Date('2026-11-29T08:00:00Z'),
      expiresAt: new Date('2026-11-30T08:00:00Z'),
      updatedAt: new Date('2026-11-29T08:00:00Z'),
      ...overrides,
    });

    it('keeps trigger records with who created and approved them', async () => {
      const at = new Date('2026-11-29T08:00:00Z');
      await store.triggerRecords.put({
        kind: 'schedule',
        key: 'g/a',
        pipelineNames: ['p'],
        spec: '{}',
        createdBy: 'U1',
        approvedBy: ['U2', 'U3'],
        requestId: 'r1',
        createdAt: at,
        updatedAt: at,
      });
      expect(await store.triggerRecords.get('schedule', 'g/a')).toEqual({
        kind: 'schedule',
        key: 'g/a',
        pipelineNames: ['p'],
        spec: '{}',
        createdBy: 'U1',
        approvedBy: ['U2', 'U3'],
        requestId: 'r1',
        createdAt: at,
        updatedAt: at,
      });
      await store.triggerRecords.put({
        kind: 'event',
        key: 'r1',
        pipelineNames: ['p', 'q'],
        spec: '{}',
        channelId: 'C0MLOPS',
        createdAt: at,
        updatedAt: at,
      });
      expect(await store.triggerRecords.channelsFor('Q')).toEqual(['C0MLOPS']);
      expect((await store.triggerRecords.forRequest('r1')).map((r) => r.key)).toEqual(['g/a']);
      expect(await store.triggerRecords.forRequest('r-none')).toEqual([]);
      expect(await store.triggerRecords.channelsFor('other')).toEqual([]);
      await store.triggerRecords.delete('schedule', 'g/a');
      expect(await store.triggerRecords.get('schedule', 'g/a')).toBeUndefined();
    });

    it('finds one-time schedules by their run, after AWS has deleted them, with their ARN', async () => {
      const at = new Date('2026-11-29T08:00:00Z');
      const once = (key: string, runsOnceAt?: string) => ({
        kind: 'schedule' as const,
        key,
        pipelineNames: ['p'],
        spec: '{}',
        arn: `arn:aws:scheduler:us-east-1:123456789012:schedule/${key}`,
        ...(runsOnceAt ? { runsOnceAt: new Date(runsOnceAt) } : {}),
        createdAt: at,
        updatedAt: at,
      });
      await store.triggerRecords.put(once('g/early', '2026-11-29T08:01:00Z'));
      await store.triggerRecords.put(once('g/due', '2026-11-29T08:05:00Z'));
      await store.triggerRecords.put(once('g/edge', '2026-11-29T08:10:00Z'));
      await store.triggerRecords.put(once('g/later', '2026-11-29T08:10:01Z'));
      await store.triggerRecords.put(once('g/recurring'));
      const between = await store.triggerRecords.runningOnceBetween(
        new Date('2026-11-29T08:01:00Z'),
        new Date('2026-11-29T08:10:00Z'),
      );
      expect(between.map((r) => r.key)).toEqual(['g/due', 'g/edge']);
      expect(between[0]).toEqual(once('g/due', '2026-11-29T08:05:00Z'));
      expect(await store.triggerRecords.get('schedule', 'g/recurring')).toEqual(
        once('g/recurring'),
      );
    });

    it('inserts local rows only when absent, lists them by prefix, page and change time', async () => {
      const t = (ms: number) => new Date(Date.parse('2026-11-29T08:00:00Z') + ms);
      expect(
        await store.local.insert('schedules', { key: 'g/b', json: '{"v":1}', updatedAt: t(0) }),
      ).toBe(true);
      expect(
        await store.local.insert('schedules', { key: 'g/b', json: '{"v":2}', updatedAt: t(0) }),
      ).toBe(false);
      await store.local.put('schedules', { key: 'g/a', ref: 'p', json: '{}', updatedAt: t(10) });
      await store.local.put('schedules', { key: 'h/a', json: '{}', updatedAt: t(20) });
      expect((await store.local.get('schedules', 'g/b'))?.json).toBe('{"v":1}');
      expect((await store.local.list('schedules', { keyPrefix: 'g/' })).map((r) => r.key)).toEqual([
        'g/a',
        'g/b',
      ]);
      expect(
        (await store.local.list('schedules', { after: 'g/a', limit: 1 })).map((r) => r.key),
      ).toEqual(['g/b']);
      expect((await store.local.list('schedules', { ref: 'p' })).map((r) => r.key)).toEqual([
        'g/a',
      ]);
      expect(
        (await store.local.list('schedules', { updatedSince: t(10) })).map((r) => r.key),
      ).toEqual(['g/a', 'h/a']);
      expect(await store.local.delete('schedules', 'g/a')).toBe(true);
      expect(await store.local.delete('schedules', 'g/a')).toBe(false);
    });

    it('gives an idempotency token to its first claimant only', async () => {
      expect(await store.local.claimToken('s', 'tok', 'first')).toBe('first');
      expect(await store.local.claimToken('s', 'tok', 'second')).toBe('first');
      expect(await store.local.claimToken('other-scope', 'tok', 'second')).toBe('second');
    });

    it('finds requests by the start of their id, taking the prefix literally', async () => {
      await store.approvals.insert(request({ id: 'req-3f2a9c00-0000-4000-8000-000000000001' }));
      await store.approvals.insert(request({ id: 'req-3f2b0000-0000-4000-8000-000000000002' }));
      const ids = async (prefix: string) =>
        (await store.approvals.withIdPrefix(prefix, 5)).map((r) => r.id).sort();
      expect(await ids('req-3f2a')).toEqual(['req-3f2a9c00-0000-4000-8000-000000000001']);
      expect(await ids('req-3f2')).toHaveLength(2);
      expect(await ids('req-3F2A')).toEqual([]);
      // LIKE's wildcards are never the caller's to use.
      expect(await ids('req-%')).toEqual([]);
      expect(await ids('req-3f2_')).toEqual([]);
    });

    it('stores an approval request and moves it by compare-and-set', async () => {
      const r = request();
      await store.approvals.insert(r);
      expect(await store.approvals.get(r.id)).toEqual(r);
      const at = new Date('2026-11-29T09:00:00Z');
      expect(
        await store.approvals.transition(r.id, ['PENDING'], 'APPROVED', {
          decidedBy: 'U0LEAD',
          at,
        }),
      ).toBe(true);
      expect(
        await store.approvals.transition(r.id, ['PENDING'], 'REJECTED', {
          decidedBy: 'U0OTHER',
          reason: 'no',
          at,
        }),
      ).toBe(false);
      expect(
        await store.approvals.transition(r.id, ['APPROVED'], 'EXECUTED', {
          outcome: '{"arn":"x"}',
          at,
        }),
      ).toBe(true);
      expect(await store.approvals.get(r.id)).toMatchObject({
        status: 'EXECUTED',
        decidedBy: 'U0LEAD',
        outcome: '{"arn":"x"}',
        updatedAt: at,
      });
      expect(await store.approvals.transition('no-such-id', ['PENDING'], 'APPROVED', { at })).toBe(
        false,
      );
    });

    it('moves nothing when no status is allowed to move', async () => {
      const r = request();
      await store.approvals.insert(r);
      const at = new Date('2026-11-29T09:00:00Z');
      expect(await store.approvals.transition(r.id, [], 'APPROVED', { at })).toBe(false);
      expect(await store.approvals.get(r.id)).toEqual(r);
    });

    it('claims an execution attempt by compare-and-set on the state it was seen in', async () => {
      const r = request();
      await store.approvals.insert(r);
      const t = (s: number) => new Date(Date.parse('2026-11-29T09:00:00Z') + s * 1000);
      expect(
        await store.approvals.transition(r.id, ['PENDING'], 'APPROVED', {
          decidedBy: 'U0LEAD',
          at: t(0),
          attemptBy: 'runner-a',
        }),
      ).toBe(true);
      expect(await store.approvals.get(r.id)).toMatchObject({
        status: 'APPROVED',
        attemptBy: 'runner-a',
        attemptAt: t(0),
      });
      const seen = { status: 'APPROVED' as const, attemptBy: 'runner-a', attemptAt: t(0) };
      // Seen differently (another runner, another time): no claim.
      expect(
        await store.approvals.startAttempt(
          r.id,
          { ...seen, attemptBy: 'runner-b' },
          { by: 'runner-b', at: t(1), token: r.id },
        ),
      ).toBe(false);
      expect(
        await store.approvals.startAttempt(r.id, seen, { by: 'runner-a', at: t(1), token: r.id }),
      ).toBe(true);
      expect(
        await store.approvals.startAttempt(r.id, seen, { by: 'runner-b', at: t(1), token: 'x' }),
      ).toBe(false);
      expect(await store.approvals.get(r.id)).toMatchObject({
        status: 'EXECUTING',
        attemptBy: 'runner-a',
        attemptAt: t(1),
        attempts: 1,
        executionToken: r.id,
      });
      expect(await store.approvals.renewAttempt(r.id, 'runner-b', t(2))).toBe(false);
      expect(await store.approvals.renewAttempt(r.id, 'runner-a', t(2))).toBe(true);
      // A take-over must have seen the renewed attempt; the first token is kept.
      const stale = { status: 'EXECUTING' as const, attemptBy: 'runner-a', attemptAt: t(1) };
      expect(
        await store.approvals.startAttempt(r.id, stale, { by: 'runner-b', at: t(3), token: 'y' }),
      ).toBe(false);
      expect(
        await store.approvals.startAttempt(
          r.id,
          { ...stale, attemptAt: t(2) },
          { by: 'runner-b', at: t(3), token: 'y' },
        ),
      ).toBe(true);
      expect(await store.approvals.get(r.id)).toMatchObject({
        status: 'EXECUTING',
        attemptBy: 'runner-b',
        attemptAt: t(3),
        attempts: 2,
        executionToken: r.id,
      });
      expect(await store.approvals.renewAttempt(r.id, 'runner-a', t(4))).toBe(false);
    });

    it('writes the audit line of a move or a vote with it, and only when it happens', async () => {
      const r = request();
      await store.approvals.insert(r);
      const at = new Date('2026-11-29T09:00:00Z');
      const line = (actor: string, event: string) => ({
        at,
        actor,
        event,
        action: 'create',
        pipelineNames: ['prod-churn'],
        requestId: r.id,
        details: '{"n":1}',
      });
      const vote = { requestId: r.id, userId: 'U1', contentHash: 'h1', at };
      expect(await store.approvals.addVote(vote, line('U1', 'approval recorded'))).toBe(true);
      expect(await store.approvals.addVote(vote, line('U1', 'approval recorded'))).toBe(false);
      const approve = () =>
        store.approvals.transition(
          r.id,
          ['PENDING'],
          'APPROVED',
          { decidedBy: 'U1', at },
          line('U1', 'approved'),
        );
      expect(await Promise.all([approve(), approve(), approve()])).toEqual(
        expect.arrayContaining([true, false, false]),
      );
      const audit = await store.audit.list();
      expect(audit.map((e) => `${e.actor} ${e.event}`).reverse()).toEqual([
        'U1 approval recorded',
        'U1 approved',
      ]);
      expect(audit[0]).toMatchObject({ at, requestId: r.id, details: '{"n":1}' });
    });

    it('claims an attempt of a request approved before runners were recorded', async () => {
      const r = request({ status: 'APPROVED' });
      await store.approvals.insert(r);
      const at = new Date('2026-11-29T09:00:00Z');
      expect(
        await store.approvals.startAttempt(
          r.id,
          { status: 'APPROVED' },
          { by: 'runner-a', at, token: r.id },
        ),
      ).toBe(true);
      expect(await store.approvals.get(r.id)).toMatchObject({ status: 'EXECUTING', attempts: 1 });
    });

    it('records approval clicks and marks each processed once', async () => {
      const at = (s: number) => new Date(Date.parse('2026-11-29T09:00:00Z') + s * 1000);
      await store.clicks.insert({
        id: 'c2',
        requestId: 'r1',
        userId: 'U2',
        recordedBy: 'runner-a',
        at: at(2),
      });
      await store.clicks.insert({
        id: 'c1',
        requestId: 'r1',
        userId: 'U1',
        contentHash: 'h1',
        teamId: 'T1',
        recordedBy: 'runner-a',
        at: at(1),
      });
      await store.clicks.insert({ id: 'c3', requestId: 'r2', userId: 'U1', at: at(3) });
      expect((await store.clicks.unprocessed(10)).map((c) => c.id)).toEqual(['c1', 'c2', 'c3']);
      expect((await store.clicks.unprocessed(1)).map((c) => c.id)).toEqual(['c1']);
      expect(await store.clicks.markProcessed('c1', at(5), 'APPROVED')).toBe(true);
      expect(await store.clicks.markProcessed('c1', at(6), 'PENDING')).toBe(false);
      expect(await store.clicks.forRequest('r1')).toEqual([
        {
          id: 'c1',
          requestId: 'r1',
          userId: 'U1',
          contentHash: 'h1',
          teamId: 'T1',
          recordedBy: 'runner-a',
          at: at(1),
          processedAt: at(5),
          result: 'APPROVED',
        },
        { id: 'c2', requestId: 'r1', userId: 'U2', recordedBy: 'runner-a', at: at(2) },
      ]);
      expect((await store.clicks.unprocessed(10)).map((c) => c.id)).toEqual(['c2', 'c3']);
    });

    it('claims a replay key once until it expires, and deletes expired keys as it goes', async () => {
      const t = (s: number) => new Date(Date.parse('2026-11-29T09:00:00Z') + s * 1000);
      expect(await store.replays.claim('sig-1', t(300), t(0))).toBe(true);
      expect(await store.replays.claim('sig-1', t(300), t(1))).toBe(false);
      expect(await store.replays.claim('sig-2', t(300), t(1))).toBe(true);
      expect(await store.replays.claim('sig-1', t(600), t(299))).toBe(false);
      // Expired: the key may be used again (a new window), and claimed only once again.
      expect(await store.replays.claim('sig-1', t(700), t(300))).toBe(true);
      expect(await store.replays.claim('sig-1', t(700), t(301))).toBe(false);
      // Concurrent claims of one key: exactly one wins.
      const racing = await Promise.all(
        Array.from({ length: 10 }, () => store.replays.claim('sig-3', t(900), t(302))),
      );
      expect(racing.filter(Boolean)).toHaveLength(1);
      // A burst: more keys at once than one statement writes, some sent twice in the same turn.
      const burst = Array.from({ length: 250 }, (_, i) => `burst-${i}`);
      const answers = await Promise.all(
        [...burst, 'burst-7', 'burst-120', 'burst-249'].map((key) =>
          store.replays.claim(key, t(900), t(303)),
        ),
      );
      expect(answers.slice(0, 250).every(Boolean)).toBe(true);
      expect(answers.slice(250)).toEqual([false, false, false]);
      expect(await store.replays.claim('burst-120', t(900), t(304))).toBe(false);
      // Without an instant, the clock decides.
      expect(await store.replays.claim('now-1', new Date(Date.now() + 60_000))).toBe(true);
      expect(await store.replays.claim('now-1', new Date(Date.now() + 60_000))).toBe(false);
    });

    it('counts each approver once', async () => {
      const r = request();
      await store.approvals.insert(r);
      const at = new Date('2026-11-29T09:00:00Z');
      expect(
        await store.approvals.addVote({ requestId: r.id, userId: 'U1', contentHash: 'h1', at }),
      ).toBe(true);
      expect(
        await store.approvals.addVote({ requestId: r.id, userId: 'U1', contentHash: 'h1', at }),
      ).toBe(false);
      expect(
        await store.approvals.addVote({ requestId: r.id, userId: 'U2', contentHash: 'h1', at }),
      ).toBe(true);
      expect((await store.approvals.votes(r.id)).map((v) => v.userId)).toEqual(['U1', 'U2']);
    });

    it('lists requests by status, newest first, and sweeps the expired ones', async () => {
      const old = request({
        id: 'old',
        createdAt: new Date('2026-11-28T08:00:00Z'),
        expiresAt: new Date('2026-11-29T07:00:00Z'),
      });
      const fresh = request({ id: 'fresh', createdAt: new Date('2026-11-29T08:00:00Z') });
      const done = request({
        id: 'done',
        status: 'EXECUTED',
        expiresAt: new Date('2026-11-29T07:00:00Z'),
      });
      for (const r of [old, fresh, done]) await store.approvals.insert(r);
      expect((await store.approvals.list({ status: 'PENDING' })).map((r) => r.id)).toEqual([
        'fresh',
        'old',
      ]);
      expect(await store.approvals.expire(new Date('2026-11-29T08:30:00Z'))).toEqual(['old']);
      expect((await store.approvals.get('old'))?.status).toBe('EXPIRED');
      expect((await store.approvals.get('done'))?.status).toBe('EXECUTED');
    });

    it('appends to the audit log and reads it newest first, by pipeline', async () => {
      const at = (m: number) => new Date(Date.parse('2026-11-29T08:00:00Z') + m * 60_000);
      await store.audit.append({
        at: at(0),
        actor: 'U1',
        event: 'requested',
        action: 'create',
        pipelineNames: ['prod-churn'],
        requestId: 'r1',
      });
      await store.audit.append({
        at: at(1),
        actor: 'U2',
        event: 'approved',
        action: 'create',
        pipelineNames: ['prod-churn'],
        requestId: 'r1',
        details: '{"votes":1}',
      });
      await store.audit.append({
        at: at(2),
        actor: 'U1',
        event: 'denied',
        action: 'delete',
        pipelineNames: ['ingest'],
        details: '{"reason":"x"}',
      });
      const all = await store.audit.list();
      expect(all.map((e) => e.event)).toEqual(['denied', 'approved', 'requested']);
      const ids = all.map((e) => e.id);
      expect(ids.every((id) => typeof id === 'number')).toBe(true);
      expect([...ids].sort((x, y) => y - x)).toEqual(ids);
      expect(all[1]).toMatchObject({
        actor: 'U2',
        at: at(1),
        requestId: 'r1',
        details: '{"votes":1}',
      });
      expect((await store.audit.list({ pipeline: 'PROD-churn' })).map((e) => e.event)).toEqual([
        'approved',
        'requested',
      ]);
      expect((await store.audit.list({ limit: 1 })).map((e) => e.event)).toEqual(['denied']);
    });

    it('remembers where a message was posted, the latest place winning', async () => {
      expect(await store.messages.get('approval:r1')).toBeUndefined();
      await store.messages.put('approval:r1', { channel: 'C0APPROVALS', ts: '1700000000.000100' });
      await store.messages.put('approval:r1', { channel: 'C0APPROVALS', ts: '1700000001.000200' });
      expect(await store.messages.get('approval:r1')).toEqual({
        channel: 'C0APPROVALS',
        ts: '1700000001.000200',
      });
    });

    it('stores each event once, hands out the unprocessed ones oldest first, and counts them', async () => {
      const at = (s: number) => new Date(Date.parse('2026-11-29T08:00:00Z') + s * 1000);
      expect(
        await store.events.insert({
          id: 'e2',
          receivedAt: at(2),
          via: 'http',
          body: '{"id":"e2"}',
        }),
      ).toBe(true);
      expect(
        await store.events.insert({ id: 'e1', receivedAt: at(1), via: 'sqs', body: '{"id":"e1"}' }),
      ).toBe(true);
      expect(
        await store.events.insert({
          id: 'e1',
          receivedAt: at(3),
          via: 'http',
          body: '{"id":"e1"}',
        }),
      ).toBe(false);
      expect((await store.events.pending(10)).map((e) => [e.id, e.via])).toEqual([
        ['e1', 'sqs'],
        ['e2', 'http'],
      ]);
      expect(await store.events.pendingCount()).toBe(2);
      await store.events.markProcessed(['e1'], at(5));
      expect((await store.events.pending(10)).map((e) => e.id)).toEqual(['e2']);
      expect(await store.events.pendingCount()).toBe(1);
    });

    it('marks any number of events processed at once, none at all included', async () => {
      const at = new Date('2026-11-29T08:00:00Z');
      const ids = Array.from({ length: 1001 }, (_, i) => `e${i}`);
      for (const id of ids)
        await store.events.insert({ id, receivedAt: at, via: 'sqs', body: '{}' });
      await store.events.markProcessed([], at);
      expect(await store.events.pendingCount()).toBe(1001);
      await store.events.markProcessed(ids, at);
      expect(await store.events.pendingCount()).toBe(0);
    });

    it('keeps one message per execution and channel, and the subscriptions', async () => {
      const at = new Date('2026-11-29T08:00:00Z');
      await store.executionMessages.put({
        executionArn: 'x1',
        channel: 'C2',
        state: '{"s":1}',
        updatedAt: at,
      });
      await store.executionMessages.put({
        executionArn: 'x1',
        channel: 'C2',
        ts: '1.2',
        state: '{"s":2}',
        updatedAt: at,
      });
      await store.executionMessages.put({
        executionArn: 'x1',
        channel: 'C1',
        ts: '1.1',
        state: '{}',
        updatedAt: at,
      });
      expect(await store.executionMessages.get('x1', 'C2')).toEqual({
        executionArn: 'x1',
        channel: 'C2',
        ts: '1.2',
        state: '{"s":2}',
        updatedAt: at,
      });
      expect((await store.executionMessages.listFor('x1')).map((m) => m.channel)).toEqual([
        'C1',
        'C2',
      ]);
      await store.subscriptions.put({
        pipeline: 'Churn-Train',
        channel: 'C1',
        filter: 'all',
        createdBy: 'U1',
        createdAt: at,
      });
      await store.subscriptions.put({
        pipeline: 'churn-train',
        channel: 'C1',
        filter: 'failures',
        createdAt: at,
      });
      await store.subscriptions.put({
        pipeline: 'ingest',
        channel: 'C2',
        filter: 'all',
        createdAt: at,
      });
      expect(await store.subscriptions.list('CHURN-TRAIN')).toEqual([
        { pipeline: 'churn-train', channel: 'C1', filter: 'failures', createdAt: at },
      ]);
      expect((await store.subscriptions.list()).map((s) => s.pipeline)).toEqual([
        'churn-train',
        'ingest',
      ]);
      expect(await store.subscriptions.delete('churn-train', 'C1')).toBe(true);
      expect(await store.subscriptions.delete('churn-train', 'C1')).toBe(false);
    });

    it('keeps one tick per occurrence, hands out the untold ones until told, and forgets old ones', async () => {
      const tick = (minute: number, outcome: 'started' | 'missed' | 'skipped') => ({
        triggerKey: 'g/every-minute',
        ref: 'every-minute',
        pipelineName: 'churn-train',
        occurrence: new Date(Date.UTC(2026, 11, 2, 7, minute)),
        timeZone: 'UTC',
        outcome,
        recordedAt: new Date(Date.UTC(2026, 11, 2, 7, minute + 3)),
        updatedAt: new Date(Date.UTC(2026, 11, 2, 7, minute + 3)),
      });
      expect(await store.ticks.insert(tick(0, 'started'))).toBe(true);
      expect(await store.ticks.insert(tick(1, 'missed'))).toBe(true);
      expect(await store.ticks.insert(tick(1, 'started'))).toBe(false);
      expect(await store.ticks.insert(tick(2, 'missed'))).toBe(true);
      const untold = await store.ticks.untold(10);
      expect(untold.map((t) => t.occurrence.getUTCMinutes())).toEqual([1, 2]);
      await store.ticks.markTold(untold[0] as (typeof untold)[0]);
      expect((await store.ticks.untold(10)).map((t) => t.occurrence.getUTCMinutes())).toEqual([2]);
      // A told miss that a retry started after all has news again: "started late".
      const told = (await store.ticks.get('g/every-minute', tick(1, 'missed').occurrence)) as Tick;
      expect(told.told).toBe('missed');
      await store.ticks.update({ ...told, outcome: 'late', executionArn: 'arn:x/execution/y' });
      expect((await store.ticks.untold(10)).map((t) => [t.outcome, t.told])).toEqual([
        ['late', 'missed'],
        ['missed', undefined],
      ]);
      // Telling an outcome that has changed since does not mark the new one told.
      await store.ticks.markTold(told);
      expect(await store.ticks.untold(10)).toHaveLength(2);
      // A stretch of skipped runs is kept whole, and kept while its last run is recent.
      const stretch: Tick = {
        ...tick(3, 'skipped'),
        occurrence: new Date(Date.UTC(2026, 11, 1, 7, 0)),
        through: new Date(Date.UTC(2026, 11, 2, 7, 5)),
        runs: 1441,
        triggerKey: 'g/paused',
      };
      expect(await store.ticks.insert(stretch)).toBe(true);
      expect(await store.ticks.recent('g/paused', 1)).toEqual([stretch]);
      expect(await store.ticks.pruneBefore(tick(2, 'missed').occurrence)).toBe(2);
      expect((await store.ticks.recent('g/every-minute', 10)).map((t) => t.ref)).toEqual([
        'every-minute',
      ]);
      expect(await store.ticks.recent('g/paused', 1)).toHaveLength(1);
      expect(await store.ticks.pruneBefore(new Date(Date.UTC(2026, 11, 2, 7, 6)))).toBe(2);
    });

    it("keeps each dead-letter event once, whole, and finds a schedule's by scheduled time", async () => {
      const letter = (id: string, minute: number | undefined) => ({
        messageId: id,
        ...(minute !== undefined
          ? {
              scheduleArn: 'arn:aws:scheduler:us-east-1:1:schedule/g/nightly',
              scheduledTime: new Date(Date.UTC(2026, 11, 2, 7, minute)),
            }
          : {}),
        errorCode: 'AccessDeniedException',
        errorMessage: 'not authorized',
        retryAttempts: 3,
        body: '{"PipelineParameterList":[]}',
        attributes: { ERROR_CODE: 'AccessDeniedException', SOMETHING_NEW: 'kept' },
        receivedAt: new Date(Date.UTC(2026, 11, 2, 7, 30)),
      });
      expect(await store.deadLetters.insert(letter('m1', 0))).toBe(true);
      expect(await store.deadLetters.insert(letter('m1', 0))).toBe(false);
      expect(await store.deadLetters.insert(letter('m2', 5))).toBe(true);
      expect(await store.deadLetters.insert(letter('m3', undefined))).toBe(true);
      const arn = 'arn:aws:scheduler:us-east-1:1:schedule/g/nightly';
      expect(
        await store.deadLetters.find(
          arn,
          new Date(Date.UTC(2026, 11, 2, 7, 4)),
          new Date(Date.UTC(2026, 11, 2, 7, 6)),
        ),
      ).toEqual(letter('m2', 5));
      expect(
        await store.deadLetters.find(
          arn,
          new Date(Date.UTC(2026, 11, 2, 7, 1)),
          new Date(Date.UTC(2026, 11, 2, 7, 4)),
        ),
      ).toBeUndefined();
    });

    it('grants leadership to one holder at a time per name', async () => {
      const release = await store.lead('engine');
      expect(release).toBeTypeOf('function');
      await release?.();
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
