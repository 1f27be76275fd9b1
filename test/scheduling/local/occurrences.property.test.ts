import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { FiringReport } from '../../../src/scheduling/local/local-schedules.js';
import { parsePipelineCatalog } from '../../../src/scheduling/local/pipeline-catalog.js';
import {
  closeAll,
  create,
  ctx,
  firings,
  GROUP,
  newDatabase,
  type Process,
  SteppingClock,
  startProcess,
} from './occurrence-world.js';

// Random schedules, made by the service or by CLI processes, paused and resumed, deleted and made
// again, the service restarted: whatever happens, the engine fires exactly the runs the reply to
// create and describe listed while they stood, each once and never early. The same property the
// real-clock test checks, over hours of simulated time.

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-29T08:00:00Z');
const HORIZON = 60 * MINUTE;
/** describe is asked this often; the five runs it lists cover more than that for every plan. */
const TICK = 3 * MINUTE;
const MAX_WINDOW_MINUTES = 5;
/** The service looks for the CLI's writes this often (slower than production, for speed). */
const SYNC_MS = 15_000;

const pipelines = parsePipelineCatalog(`
pipelines:
  - name: probe
    parameters:
      - { name: ScheduledTime, type: String, default: none }
    steps:
      - { name: One, seconds: 1 }
`);

const scheduleArb = fc.record({
  kind: fc.constantFrom('rate', 'cron', 'at'),
  rateMinutes: fc.constantFrom(1, 2, 5, 7, 13, 60),
  cronStep: fc.constantFrom(1, 5, 15),
  cronOffset: fc.nat({ max: 14 }),
  atOffsetMs: fc.integer({ min: -2 * MINUTE, max: 50 * MINUTE }),
  startOffsetMs: fc.option(fc.integer({ min: -20 * MINUTE, max: 20 * MINUTE }), { nil: undefined }),
  endAfterMs: fc.option(fc.integer({ min: MINUTE, max: 60 * MINUTE }), { nil: undefined }),
  window: fc.option(fc.integer({ min: 1, max: MAX_WINDOW_MINUTES }), { nil: undefined }),
  createdAtMs: fc.integer({ min: 0, max: 20 * MINUTE }),
  byCli: fc.boolean(),
});
type PlannedSchedule = typeof scheduleArb extends fc.Arbitrary<infer T> ? T : never;

const operationArb = fc.record({
  atMs: fc.integer({ min: 0, max: 50 * MINUTE }),
  kind: fc.constantFrom('pause', 'resume', 'recreate', 'restart'),
  target: fc.nat(),
  byCli: fc.boolean(),
  downMs: fc.integer({ min: 0, max: 15 * MINUTE }),
});

function expressionOf(s: PlannedSchedule, createdAt: number): string {
  switch (s.kind) {
    case 'rate':
      return s.rateMinutes === 60
        ? 'rate(1 hour)'
        : `rate(${s.rateMinutes} ${s.rateMinutes === 1 ? 'minute' : 'minutes'})`;
    case 'cron':
      return `cron(${s.cronOffset % s.cronStep}/${s.cronStep} * * * ? *)`;
    case 'at': {
      const at = Math.floor((createdAt + s.atOffsetMs) / 1000) * 1000;
      return `at(${new Date(at).toISOString().slice(0, 19)})`;
    }
  }
  throw new Error(`unknown kind ${String(s.kind)}`);
}

interface Claim {
  name: string;
  runs: number[];
  /** The next write to the schedule: a run the engine had not fired by then is its to judge. */
  until: number;
  /** Minutes of flexible window: a run is fired up to this long after its instant. */
  window: number;
}

describe('occurrences: describe and the engine agree, whatever happens', () => {
  afterEach(closeAll);

  it('fires exactly the listed runs, once, never early', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(scheduleArb, { minLength: 1, maxLength: 4 }),
        fc.array(operationArb, { maxLength: 4 }),
        async (planned, operations) => {
          await closeAll();
          const databaseUrl = newDatabase();
          const clock = new SteppingClock(T0);
          const options = { pipelines, syncIntervalMs: SYNC_MS };
          let service: Process | undefined = await startProcess(
            databaseUrl,
            clock,
            'service',
            options,
          );
          const cli = await startProcess(databaseUrl, clock, 'cli', options);
          const sources: FiringReport[][] = [firings(service).reports];
          const claims: Claim[] = [];
          const live = new Map<string, PlannedSchedule>();
          const down: Array<{ from: number; to: number }> = [];
          const writeAt = (name: string, at: number) => {
            for (const c of claims) if (c.name === name && c.until > at) c.until = at;
          };
          const make = async (name: string, s: PlannedSchedule) => {
            const who = s.byCli || !service ? cli : service;
            const now = clock.now();
            const start = s.startOffsetMs === undefined ? undefined : now + s.startOffsetMs;
            const { reply } = await create(who, clock, {
              name,
              pipeline: 'probe',
              parameters: [{ name: 'ScheduledTime', value: '<aws.scheduler.scheduled-time>' }],
              expression: expressionOf(s, now),
              ...(start !== undefined ? { start: new Date(start) } : {}),
              ...(s.endAfterMs !== undefined
                ? { end: new Date(Math.max(now, start ?? now) + s.endAfterMs) }
                : {}),
              ...(s.window !== undefined ? { flexibleWindowMinutes: s.window } : {}),
            });
            claims.push({
              name,
              runs: reply.map(Date.parse),
              until: Number.POSITIVE_INFINITY,
              window: s.window ?? 0,
            });
            live.set(name, s);
          };
          const describeOne = async (name: string, now: number) => {
            const described = await cli.service.describe(name, new Date(now));
            if (!described.ok || described.value.kind !== 'schedule') return;
            claims.push({
              name,
              runs: described.value.nextRuns.map((d) => d.getTime()),
              until: Number.POSITIVE_INFINITY,
              window: described.value.trigger.flexibleWindowMinutes ?? 0,
            });
          };
          const describeAll = async () => {
            for (const name of live.keys()) await describeOne(name, clock.now());
          };

          type Step = { at: number; run: () => Promise<void> };
          const steps: Step[] = [];
          planned.forEach((s, i) => {
            steps.push({ at: T0 + s.createdAtMs, run: () => make(`s${i}`, s) });
          });
          for (const op of operations) {
            if (op.kind === 'restart') {
              // Down for a while: describe and CLI commands go on meanwhile.
              steps.push({
                at: T0 + op.atMs,
                run: async () => {
                  if (!service) return;
                  await service.close();
                  service = undefined;
                  down.push({ from: clock.now(), to: Number.POSITIVE_INFINITY });
                },
              });
              steps.push({
                at: T0 + op.atMs + op.downMs,
                run: async () => {
                  if (service) return;
                  service = await startProcess(databaseUrl, clock, 'service', options);
                  const last = down.at(-1);
                  if (last) last.to = clock.now();
                  sources.push(firings(service).reports);
                },
              });
              continue;
            }
            steps.push({
              at: T0 + op.atMs,
              run: async () => {
                const names = [...live.keys()];
                const name = names[op.target % Math.max(1, names.length)];
                if (!name) return;
                const who = op.byCli || !service ? cli : service;
                if (op.kind === 'recreate') {
                  const s = live.get(name);
                  if (!s) return;
                  writeAt(name, clock.now());
                  const deleted = await who.service.delete(name, ctx(clock));
                  if (!deleted.ok) return;
                  live.delete(name);
                  await make(name, { ...s, byCli: op.byCli });
                  return;
                }
                const changed = await (op.kind === 'pause'
                  ? who.service.pause(name, ctx(clock))
                  : who.service.resume(name, ctx(clock)));
                if (!changed.ok) return;
                const record = await who.backend.schedules.get(GROUP, name);
                const written = record.modifiedAt?.getTime() ?? clock.now();
                writeAt(name, written);
                // What describe says at once, as a person checking the change would see it.
                await describeOne(name, written);
              },
            });
          }
          const END = T0 + HORIZON + (MAX_WINDOW_MINUTES + 1) * MINUTE;
          for (let t = T0; t <= END; t += TICK) steps.push({ at: t, run: describeAll });
          steps.sort((a, b) => a.at - b.at);
          for (const step of steps) {
            await clock.advanceTo(Math.max(step.at, clock.now()));
            await step.run();
          }
          await clock.advanceTo(END);
          const reports = sources
            .flat()
            .filter((r) => r.outcome === 'started')
            .map((r) => ({
              name: r.key.slice(GROUP.length + 1),
              scheduled: r.scheduledTime,
              firedAt: r.firedAt,
            }));

          const fired = reports.map((r) => `${r.name} ${new Date(r.scheduled).toISOString()}`);
          const context = `fired ${JSON.stringify(fired)}`;
          expect(new Set(fired).size, `a run fired twice: ${context}`).toBe(fired.length);
          for (const r of reports) {
            expect(r.firedAt, `fired early: ${context}`).toBeGreaterThanOrEqual(r.scheduled);
            const listed = claims.some(
              (c) => c.name === r.name && c.runs.includes(r.scheduled) && r.scheduled < c.until,
            );
            expect(
              listed,
              `${r.name} ${new Date(r.scheduled).toISOString()} was never listed`,
            ).toBe(true);
          }
          // A run must have fired if the engine had to fire it before anything changed: by its
          // instant, its window and a sync interval later, or that long after a restart.
          const firedBy = (run: number, window: number) => {
            const slack = window * MINUTE + SYNC_MS + 1000;
            const back = down.find((d) => d.from <= run + slack && d.to >= run)?.to ?? run;
            return back + slack;
          };
          for (const c of claims)
            for (const run of c.runs) {
              const by = firedBy(run, c.window);
              if (by >= c.until || by > END) continue;
              const key = `${c.name} ${new Date(run).toISOString()}`;
              expect(fired, `listed, never fired: ${context}`).toContain(key);
            }
          await closeAll();
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
