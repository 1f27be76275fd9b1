import { describe, expect, it } from 'vitest';
import {
  occurrenceBounds,
  previewStoredSchedule,
  type StoredScheduleTiming,
} from '../../../src/scheduling/expression/index.js';

function runs(schedule: StoredScheduleTiming, now: string, fromWritten = false): string[] {
  const preview = previewStoredSchedule(schedule, { now: new Date(now), fromWritten, count: 3 });
  if (!preview.ok) throw new Error(preview.error.message);
  return preview.preview.occurrences.map((d) => d.toISOString());
}

// The AWS fact, from the EventBridge Scheduler reference (§1.2 "First run", and the StartDate /
// EndDate bullet of §2) and the Scheduler User Guide, schedule-types.html, Rate-based schedules:
// "If you do not provide a StartDate for a rate-based schedule, your schedule starts invoking the
// target immediately." Documented: the first run is at creation, then one every interval. Not
// documented: which instant within the creation second counts (Scheduler invokes with 60-second
// precision anyway), nor whether re-enabling a schedule moves the anchor. We anchor on the whole
// second of CreationDate, kept across updates; describe, the create reply and the local engine
// all count that way (docs/troubleshooting.md, "When a schedule runs").
describe('a rate() without StartDate, as AWS documents it', () => {
  const created = {
    expression: 'rate(1 hour)',
    timeZone: 'UTC',
    createdAt: new Date('2026-11-29T08:16:37.412Z'),
    modifiedAt: new Date('2026-11-29T08:16:37.412Z'),
  };

  it('starts at once: its first run is its creation second, then one every interval', () => {
    expect(runs(created, '2026-11-29T08:16:37.500Z', true)).toEqual([
      '2026-11-29T08:16:37.000Z',
      '2026-11-29T09:16:37.000Z',
      '2026-11-29T10:16:37.000Z',
    ]);
    // describe, later: from where it stands, on the same anchor.
    expect(runs(created, '2026-11-29T09:30:00Z')).toEqual([
      '2026-11-29T10:16:37.000Z',
      '2026-11-29T11:16:37.000Z',
      '2026-11-29T12:16:37.000Z',
    ]);
  });

  it('with a StartDate, starts there instead', () => {
    expect(
      runs({ ...created, start: new Date('2026-11-30T00:00:00Z') }, '2026-11-29T08:16:38Z', true),
    ).toEqual(['2026-11-30T00:00:00.000Z', '2026-11-30T01:00:00.000Z', '2026-11-30T02:00:00.000Z']);
  });

  it('keeps its creation anchor when updated, and runs only after the update (a resume replays nothing)', () => {
    const resumed = { ...created, modifiedAt: new Date('2026-11-29T11:20:00Z') };
    expect(runs(resumed, '2026-11-29T11:20:00Z', true)).toEqual([
      '2026-11-29T12:16:37.000Z',
      '2026-11-29T13:16:37.000Z',
      '2026-11-29T14:16:37.000Z',
    ]);
    // describe with a clock behind the back end's still lists nothing from before the update.
    expect(runs(resumed, '2026-11-29T09:00:00Z')[0]).toBe('2026-11-29T12:16:37.000Z');
  });
});

describe('occurrenceBounds', () => {
  it('runs a cron() strictly after it was written: a slot a moment before creation is not its own', () => {
    const schedule = {
      expression: 'cron(0/10 * * * ? *)',
      timeZone: 'UTC',
      createdAt: new Date('2026-11-29T08:00:00.300Z'),
    };
    expect(runs(schedule, '2026-11-29T07:59:59Z', true)[0]).toBe('2026-11-29T08:10:00.000Z');
    expect(
      runs(
        { ...schedule, createdAt: new Date('2026-11-29T07:59:59.900Z') },
        '2026-11-29T07:59Z',
        true,
      )[0],
    ).toBe('2026-11-29T08:00:00.000Z');
  });

  it('leaves start and end as given, and anchors only a rate() on its creation', () => {
    const dates = {
      createdAt: new Date('2026-11-29T08:00:00.700Z'),
      end: new Date('2026-12-01T00:00:00Z'),
    };
    expect(occurrenceBounds('rate', dates)).toEqual({
      start: Date.parse('2026-11-29T08:00:00Z'),
      end: Date.parse('2026-12-01T00:00:00Z'),
      earliest: Date.parse('2026-11-29T08:00:00Z'),
    });
    expect(occurrenceBounds('cron', dates)).toEqual({
      end: Date.parse('2026-12-01T00:00:00Z'),
      earliest: Date.parse('2026-11-29T08:00:00.701Z'),
    });
    // A back end that does not say when it created the schedule: counted from now, as before.
    expect(occurrenceBounds('rate', {})).toEqual({});
  });
});
