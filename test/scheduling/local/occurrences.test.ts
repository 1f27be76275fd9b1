import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/scheduling/local/clock.js';
import {
  closeAll,
  create,
  ctx,
  firings,
  newDatabase,
  nextRuns,
  SteppingClock,
  startProcess,
  value,
} from './occurrence-world.js';

afterEach(closeAll);

describe('the local engine fires the runs describe prints', () => {
  it('runs a rate() without a start in the second it was created, the first run the reply to create lists', async () => {
    const clock = new SteppingClock(Date.parse('2026-11-29T08:00:30.750Z'));
    const service = await startProcess(newDatabase(), clock, 'service');
    const { fired, reports } = firings(service);
    const { reply } = await create(service, clock, {
      name: 'every-5',
      expression: 'rate(5 minutes)',
    });
    expect(reply.slice(0, 2)).toEqual(['2026-11-29T08:00:30.000Z', '2026-11-29T08:05:30.000Z']);
    expect((await nextRuns(service, 'every-5', clock.now())).slice(0, 4)).toEqual(
      reply.slice(1, 5),
    );
    await clock.advanceTo('2026-11-29T08:16:00Z');
    expect(fired('every-5')).toEqual(reply.slice(0, 4));
    // Scheduler's scheduled-time attribute is the same instant, in whole seconds.
    const first = await service.backend.pipelines.describeExecution(reports[0]?.executionArn ?? '');
    expect(first.parameters).toContainEqual({
      name: 'InstanceType',
      value: '2026-11-29T08:00:30Z',
    });
  });

  it('fires the creation run of a schedule a CLI process made late, once, then on time', async () => {
    const databaseUrl = newDatabase();
    const clock = new SteppingClock(Date.parse('2026-11-29T07:58:00.000Z'));
    const service = await startProcess(databaseUrl, clock, 'service');
    const { fired, reports } = firings(service);
    const cli = await startProcess(databaseUrl, clock, 'cli');
    await clock.advanceTo('2026-11-29T07:58:00.400Z');
    const { reply } = await create(cli, clock, { name: 'r1', expression: 'rate(1 minute)' });
    await cli.close();
    expect(reply[0]).toBe('2026-11-29T07:58:00.000Z');
    await clock.advanceTo('2026-11-29T08:00:30Z');
    expect(fired('r1')).toEqual(reply.slice(0, 3));
    // The service learnt of it at its next look at the store, within the 2 s sync interval.
    const late = (reports[0]?.firedAt ?? 0) - Date.parse(reply[0] ?? '');
    expect(late).toBeGreaterThan(400);
    expect(late).toBeLessThanOrEqual(2500);
    for (const r of reports.slice(1)) expect(r.firedAt - r.scheduledTime).toBeLessThan(100);
    const runs = await service.backend.pipelines.listExecutions('churn-train', {});
    expect(runs.items).toHaveLength(3);
  });

  it('picks up a CLI write stamped before a write it has already seen', async () => {
    const databaseUrl = newDatabase();
    const clock = new SteppingClock(Date.parse('2026-11-29T08:00:30.000Z'));
    const service = await startProcess(databaseUrl, clock, 'service');
    const { fired } = firings(service);
    await create(service, clock, { name: 'busy', expression: 'cron(* * * * ? *)' });
    // 08:01:00 fires and saves; the 08:01:02 sync has seen that write.
    await clock.advanceTo('2026-11-29T08:01:02.500Z');
    // A CLI process that stamped its row 3 s before committing it (it waited for a lock).
    const stampedEarly: Clock = {
      now: () => clock.now() - 3000,
      setTimeout: (callback, ms) => clock.setTimeout(callback, ms),
      clearTimeout: (handle) => clock.clearTimeout(handle),
    };
    const cli = await startProcess(databaseUrl, stampedEarly, 'cli');
    const { reply } = await create(cli, stampedEarly, { name: 'r1', expression: 'rate(1 minute)' });
    await cli.close();
    await clock.advanceTo('2026-11-29T08:02:30Z');
    expect(reply[0]).toBe('2026-11-29T08:00:59.000Z');
    expect(fired('r1')).toEqual(reply.slice(0, 2));
  });

  it('takes a schedule deleted and created again under its name for a new one', async () => {
    const databaseUrl = newDatabase();
    const clock = new SteppingClock(Date.parse('2026-11-29T07:58:10.000Z'));
    const service = await startProcess(databaseUrl, clock, 'service');
    const { fired } = firings(service);
    const cli = await startProcess(databaseUrl, clock, 'cli');
    const first = await create(cli, clock, { name: 'r1', expression: 'rate(1 minute)' });
    await clock.advanceTo('2026-11-29T07:58:40Z');
    value(await cli.service.delete('r1', ctx(clock)));
    await clock.advanceTo('2026-11-29T07:58:51.500Z');
    // Version 1 again: the service used to take it for the old one and fire at :10 past.
    const second = await create(cli, clock, { name: 'r1', expression: 'rate(1 minute)' });
    await clock.advanceTo('2026-11-29T07:59:30Z');
    expect((await nextRuns(cli, 'r1', clock.now())).slice(0, 4)).toEqual(second.reply.slice(1, 5));
    await clock.advanceTo('2026-11-29T08:01:00Z');
    expect(fired('r1')).toEqual([
      first.reply[0],
      second.reply[0],
      second.reply[1],
      second.reply[2],
    ]);
    expect(fired('r1')).not.toContain('2026-11-29T07:59:10.000Z');
  });

  it('does not replay the runs a pause skipped: not on resume, not from a CLI resume, not after a restart', async () => {
    const databaseUrl = newDatabase();
    const clock = new SteppingClock(Date.parse('2026-11-29T07:55:00.300Z'));
    let service = await startProcess(databaseUrl, clock, 'service');
    let log = firings(service);
    const fired: Record<string, string[]> = { c: [], r: [] };
    const collect = () => {
      for (const name of ['c', 'r']) fired[name]?.push(...log.fired(name));
    };
    await create(service, clock, { name: 'c', expression: 'cron(0/10 * * * ? *)' });
    await create(service, clock, { name: 'r', expression: 'rate(10 minutes)' });
    await clock.advanceTo('2026-11-29T08:06:00Z');
    value(await service.service.pause('c', ctx(clock)));
    value(await service.service.pause('r', ctx(clock)));
    await clock.advanceTo('2026-11-29T08:37:30Z');
    // c resumed in the service's process, r by a CLI command the service learns of later.
    value(await service.service.resume('c', ctx(clock)));
    const cli = await startProcess(databaseUrl, clock, 'cli');
    value(await cli.service.resume('r', ctx(clock)));
    await cli.close();
    const resumedAt = clock.now();
    expect(await nextRuns(service, 'c', resumedAt)).toEqual([
      '2026-11-29T08:40:00.000Z',
      '2026-11-29T08:50:00.000Z',
      '2026-11-29T09:00:00.000Z',
      '2026-11-29T09:10:00.000Z',
      '2026-11-29T09:20:00.000Z',
    ]);
    expect((await nextRuns(service, 'r', resumedAt))[0]).toBe('2026-11-29T08:45:00.000Z');
    // Killed and started again right after: the catch-up must not reach into the pause either.
    await clock.advanceTo('2026-11-29T08:38:00Z');
    collect();
    await service.close();
    await clock.advanceTo('2026-11-29T08:39:00Z');
    service = await startProcess(databaseUrl, clock, 'service');
    log = firings(service);
    await clock.advanceTo('2026-11-29T09:00:30Z');
    collect();
    expect(fired.c).toEqual([
      '2026-11-29T08:00:00.000Z',
      '2026-11-29T08:40:00.000Z',
      '2026-11-29T08:50:00.000Z',
      '2026-11-29T09:00:00.000Z',
    ]);
    expect(fired.r).toEqual([
      '2026-11-29T07:55:00.000Z',
      '2026-11-29T08:05:00.000Z',
      '2026-11-29T08:45:00.000Z',
      '2026-11-29T08:55:00.000Z',
    ]);
  });

  it('after a restart, fires late what fell due within the maximum event age, nothing older, nothing twice', async () => {
    const databaseUrl = newDatabase();
    const clock = new SteppingClock(Date.parse('2026-11-29T07:55:00.000Z'));
    let service = await startProcess(databaseUrl, clock, 'service');
    let log = firings(service);
    await create(service, clock, {
      name: 'c',
      expression: 'cron(0/10 * * * ? *)',
      retryPolicy: { maximumEventAgeSeconds: 1200, maximumRetryAttempts: 3 },
    });
    await clock.advanceTo('2026-11-29T08:01:00Z');
    const before = log.fired('c');
    await service.close();
    // Down from 08:01 to 08:45; meanwhile a CLI command makes a rate() and describes both.
    await clock.advanceTo('2026-11-29T08:30:20.600Z');
    const cli = await startProcess(databaseUrl, clock, 'cli');
    const made = await create(cli, clock, { name: 'r', expression: 'rate(10 minutes)' });
    await clock.advanceTo('2026-11-29T08:30:30Z');
    const describedWhileDown = await nextRuns(cli, 'c', clock.now());
    await cli.close();
    await clock.advanceTo('2026-11-29T08:45:00Z');
    service = await startProcess(databaseUrl, clock, 'service');
    log = firings(service);
    await clock.advanceTo('2026-11-29T08:55:00Z');
    // 08:10 and 08:20 are older than the 20-minute maximum event age at 08:45: never fired.
    expect([...before, ...log.fired('c')]).toEqual([
      '2026-11-29T08:00:00.000Z',
      '2026-11-29T08:30:00.000Z',
      '2026-11-29T08:40:00.000Z',
      '2026-11-29T08:50:00.000Z',
    ]);
    expect(describedWhileDown.slice(0, 3)).toEqual([
      '2026-11-29T08:40:00.000Z',
      '2026-11-29T08:50:00.000Z',
      '2026-11-29T09:00:00.000Z',
    ]);
    expect(log.fired('r')).toEqual(made.reply.slice(0, 3));
    expect(made.reply[0]).toBe('2026-11-29T08:30:20.000Z');
    const late = log.reports.filter((r) => r.firedAt - r.scheduledTime > 60_000);
    expect(late.map((r) => new Date(r.scheduledTime).toISOString()).sort()).toEqual([
      '2026-11-29T08:30:00.000Z',
      '2026-11-29T08:30:20.000Z',
      '2026-11-29T08:40:00.000Z',
      '2026-11-29T08:40:20.000Z',
    ]);
  });

  it('with a flexible window, fires each listed occurrence once, within the window after it', async () => {
    const databaseUrl = newDatabase();
    const clock = new SteppingClock(Date.parse('2026-11-29T07:30:00.000Z'));
    let service = await startProcess(databaseUrl, clock, 'service');
    let log = firings(service);
    const { reply } = await create(service, clock, {
      name: 'hourly',
      expression: 'cron(0 * * * ? *)',
      flexibleWindowMinutes: 15,
    });
    // describe lists the scheduled instants; each run starts up to 15 minutes after its own.
    expect(await nextRuns(service, 'hourly', clock.now())).toEqual(reply.slice(0, 5));
    await clock.advanceTo('2026-11-29T09:00:01Z');
    const reports = [...log.reports];
    await service.close();
    service = await startProcess(databaseUrl, clock, 'service');
    log = firings(service);
    await clock.advanceTo('2026-11-29T12:30:00Z');
    reports.push(...log.reports);
    expect(reports.map((r) => new Date(r.scheduledTime).toISOString())).toEqual(reply.slice(0, 5));
    for (const r of reports) {
      expect(r.firedAt).toBeGreaterThanOrEqual(r.scheduledTime);
      expect(r.firedAt - r.scheduledTime).toBeLessThan(15 * 60_000);
    }
  });
});
