import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';

// Black-box: the real service process on the real clock, schedules made by the real CLI (each
// command a process of its own, as a person at a shell makes them), and the instants compared
// are the ones both print. rate(1 minute) is the shortest schedule Scheduler takes, so the test
// watches about two minutes of runs.

const root = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(root, 'bin', 'pipeline-schedule.js');
const GROUP_PREFIX = 'Started by EventBridge Scheduler schedule sagemaker-pipelines/';
/** Scheduler substitutes the occurrence's instant here: what fired, not when it started. */
const SCHEDULED_TIME = 'param:ScheduledTime=<aws.scheduler.scheduled-time>';
/**
 * How late a run may start when the service knew of it in time: its timer or a 2 s sync, plus
 * the stalls of a loaded machine (two test workers beside the spawned service have delayed its
 * timers by 6 s). Which instant fired is asserted exactly, through the scheduled time; only
 * the start is given this slack.
 */
const ON_TIME_MS = 15_000;

type Kind = 'rate' | 'rate-start' | 'cron' | 'at';

/** The runs one create reply or describe printed, and until when they stand. */
interface Claim {
  name: string;
  source: string;
  /** When the command that printed them began. */
  takenAt: number;
  runs: string[];
  /** A later write to the schedule (delete, pause) began here: runs from then on are void. */
  until: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

let service: ChildProcess | undefined;
afterEach(() => {
  service?.kill('SIGKILL');
  service = undefined;
});

function startService(env: Record<string, string>): Promise<ChildProcess> {
  // Node itself with tsx as a loader, as crash-restart.test.ts does: a wrapper process would
  // take the SIGKILL while the service lived on.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('pipeline-schedule-bot started')) resolve(child);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}: ${output}`)));
  });
}

async function stopService(signal: NodeJS.Signals): Promise<void> {
  const child = service;
  service = undefined;
  if (!child || child.exitCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill(signal);
  });
}

function cli(
  env: Record<string, string>,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr })),
  );
}

/** The instants under "next runs:" in a create reply or a describe. */
function printedRuns(output: string): string[] {
  const lines = output.split('\n');
  const at = lines.findIndex((line) => /^next runs\b.*:$/.test(line.trim()));
  if (at < 0) return [];
  const runs: string[] = [];
  for (const line of lines.slice(at + 1)) {
    // `Thu 2026-12-03 08:16:37 UTC, in 4 min`: the schedules here are in UTC.
    const m = /^ {4}\w{3} (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})(:\d{2})? UTC\b/.exec(line);
    if (!m?.[1]) break;
    runs.push(`${m[1]}T${m[2]}${m[3] ?? ':00'}Z`);
  }
  return runs;
}

/** Waits until the clock is within [from, to] seconds of a minute: away from every cron run. */
async function awayFromMinute(from: number, to: number): Promise<void> {
  for (;;) {
    const second = new Date().getUTCSeconds();
    if (second >= from && second <= to) return;
    await sleep(250);
  }
}

describe('occurrences: describe and the running engine agree', () => {
  it('fires exactly the runs describe printed, to the second, for CLI-made schedules and across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'occurrences-'));
    const pipelinesFile = join(dir, 'pipelines.yml');
    writeFileSync(
      pipelinesFile,
      [
        'pipelines:',
        '  - name: probe',
        '    parameters:',
        '      - { name: ScheduledTime, type: String, default: none }',
        '    steps:',
        '      - { name: One, seconds: 1 }',
        '',
      ].join('\n'),
    );
    const env = {
      DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
      LOCAL_PIPELINES_FILE: pipelinesFile,
      LOG_LEVEL: 'info',
      LOCAL_TZ: 'UTC',
    };
    const claims: Claim[] = [];
    const argsOf = new Map<string, string[]>();
    const kindOf = new Map<string, Kind>();
    const run = async (args: string[]) => {
      const result = await cli(env, args);
      expect(result.code, `${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(0);
      return result.stdout;
    };
    const claim = (name: string, source: string, takenAt: number, output: string) =>
      claims.push({
        name,
        source,
        takenAt,
        runs: printedRuns(output),
        until: Number.POSITIVE_INFINITY,
      });
    const printed = async (name: string, source: string, args: string[]) => {
      const takenAt = Date.now();
      claim(name, source, takenAt, await run(args));
    };
    /** A write begins: what was printed before no longer speaks for the runs after it. */
    const writeBegins = (name: string) => {
      const now = Date.now();
      for (const c of claims) if (c.name === name && c.until > now) c.until = now;
    };
    const describeAll = async (source: string) => {
      for (const name of argsOf.keys()) {
        const takenAt = Date.now();
        const result = await cli(env, ['describe', name]);
        // An at() schedule deletes itself after its run.
        if (result.code !== 0 && kindOf.get(name) === 'at') continue;
        expect(result.code, result.stdout + result.stderr).toBe(0);
        claim(name, source, takenAt, result.stdout);
      }
    };
    const create = async (name: string, kind: Kind, args: string[], source: string) => {
      argsOf.set(name, args);
      kindOf.set(name, kind);
      await printed(name, `${source}: create`, args);
      await printed(name, `${source}: describe`, ['describe', name]);
    };
    const argsFor = (kind: Kind, name: string): string[] => {
      const base = ['create', 'probe'];
      const now = Date.now();
      switch (kind) {
        case 'rate':
          return [...base, 'rate(1 minute)', `name=${name}`, SCHEDULED_TIME];
        case 'rate-start':
          return [
            ...base,
            'rate(1 minute)',
            `name=${name}`,
            `start=${iso(wholeSecond(now + 5000 + randomInt(15_000)))}`,
            SCHEDULED_TIME,
          ];
        case 'cron':
          return [...base, 'cron(* * * * ? *)', `name=${name}`, SCHEDULED_TIME];
        case 'at':
          return [
            ...base,
            `at(${iso(wholeSecond(now + 8000 + randomInt(40_000))).slice(0, 19)})`,
            `name=${name}`,
            SCHEDULED_TIME,
          ];
      }
    };

    service = await startService(env);
    const began = Date.now();
    const all: Kind[] = ['rate', 'rate-start', 'cron', 'at'];
    const kinds: Kind[] = [
      ...all,
      all[randomInt(all.length)] as Kind,
      all[randomInt(all.length)] as Kind,
    ].sort(() => randomInt(3) - 1);
    const nameOf = (kind: Kind) => `${kind}-${randomBytes(3).toString('hex')}`;
    for (const kind of kinds) {
      const name = nameOf(kind);
      await create(name, kind, argsFor(kind, name), 'running');
    }
    const [rate] = [...kindOf].find(([, kind]) => kind === 'rate') ?? [];
    const [cron] = [...kindOf].find(([, kind]) => kind === 'cron') ?? [];
    if (!rate || !cron) throw new Error('the plan has a rate() and a cron() schedule');

    // Paused between two of its runs, resumed after the restart: the runs between never fire,
    // neither on time nor as the restart's catch-up.
    await awayFromMinute(8, 50);
    writeBegins(cron);
    const pausedAt = Date.now();
    await run(['pause', cron]);

    // Deleted and created again under its name, between two of its runs: the service must take
    // the new schedule for a new one (it used to keep firing the old one's runs).
    const firstRun = Date.parse(claims.find((c) => c.name === rate)?.runs[0] ?? '');
    while ((((Date.now() - firstRun) % 60_000) + 60_000) % 60_000 < 12_000) await sleep(250);
    while ((((Date.now() - firstRun) % 60_000) + 60_000) % 60_000 > 48_000) await sleep(250);
    writeBegins(rate);
    await run(['delete', rate, '--yes']);
    await create(rate, 'rate', argsOf.get(rate) ?? [], 'recreated');

    // Killed three seconds before the next run of an enabled schedule, back three after it: that
    // run fires late, once, when the service is back; so does the creation run of a schedule
    // the CLI makes meanwhile.
    const upcoming = claims
      .filter((c) => c.name !== cron && c.until === Number.POSITIVE_INFINITY)
      .flatMap((c) => c.runs.map((r) => Date.parse(r)))
      .filter((at) => at >= Date.now() + 6000)
      .sort((a, b) => a - b);
    const due = upcoming[0] ?? Date.now() + 6000;
    await sleep(due - 3000 - Date.now());
    const killedAt = Date.now();
    await stopService('SIGKILL');
    const down = nameOf('rate');
    await create(down, 'rate', argsFor('rate', down), 'while down');
    await describeAll('while down');
    await sleep(due + 3000 - Date.now());
    service = await startService(env);
    const backAt = Date.now();
    const beforeRestart = claims.length;
    await describeAll('after restart');
    // What describe says after the restart is what it said before, from where it now stands.
    for (const after of claims.slice(beforeRestart)) {
      const before = claims
        .slice(0, beforeRestart)
        .filter((c) => c.name === after.name && c.until === Number.POSITIVE_INFINITY)
        .at(-1);
      const last = before?.runs.at(-1);
      if (!before || !last) continue;
      // A run that passed while describe ran may be in one list and not the other.
      const comparable = (r: string) => Date.parse(r) > after.takenAt + 3000 && r <= last;
      expect(after.runs.filter(comparable), `${after.name} before and after the restart`).toEqual(
        before.runs.filter(comparable),
      );
    }

    // Resumed once a minute went by while it was paused.
    const pausedMinute = Math.ceil(pausedAt / 60_000) * 60_000;
    await sleep(pausedMinute + 8000 - Date.now());
    await awayFromMinute(8, 50);
    writeBegins(cron);
    await run(['resume', cron]);
    await printed(cron, 'resumed: describe', ['describe', cron]);

    const endAt = began + 128_000;
    await sleep(endAt - Date.now());
    await stopService('SIGTERM');

    const store = openSqliteStore(env.DATABASE_URL);
    const executions = (await store.local.list('executions')).map(
      (row) =>
        JSON.parse(row.json) as {
          description?: string;
          startTime: number;
          parameters: Array<{ name: string; value: string }>;
        },
    );
    await store.close();
    const fired = executions
      .filter((e) => e.description?.startsWith(GROUP_PREFIX))
      .map((e) => ({
        name: (e.description ?? '').slice(GROUP_PREFIX.length),
        scheduled: e.parameters.find((p) => p.name === 'ScheduledTime')?.value ?? '',
        startTime: e.startTime,
      }));
    const plan = `plan: ${[...kindOf].map(([n, k]) => `${n}=${k}`).join(', ')}; claims: ${JSON.stringify(claims)}; fired: ${JSON.stringify(fired)}`;

    // Every run that fired is one describe (or the reply to create) printed, while it stood.
    for (const f of fired) {
      const printed = claims.some(
        (c) =>
          c.name === f.name && c.runs.includes(f.scheduled) && Date.parse(f.scheduled) < c.until,
      );
      expect(printed, `${f.name} fired ${f.scheduled}, which nothing printed\n${plan}`).toBe(true);
    }
    // Each fired once.
    const keys = fired.map((f) => `${f.name} ${f.scheduled}`);
    expect(new Set(keys).size, `a run fired twice\n${plan}`).toBe(keys.length);
    // Every printed run that has passed fired (leaving the last seconds to the sync interval).
    const cutoff = endAt - ON_TIME_MS;
    for (const c of claims) {
      for (const r of c.runs) {
        const at = Date.parse(r);
        if (at >= c.until || at > cutoff) continue;
        expect(keys, `${c.source} printed ${r} for ${c.name}\n${plan}`).toContain(`${c.name} ${r}`);
      }
    }
    // Never early, and late only by the sync interval, or by the time the service was down.
    for (const f of fired) {
      const at = Date.parse(f.scheduled);
      const late = f.startTime - at;
      expect(late, `${f.name} ${f.scheduled} started early\n${plan}`).toBeGreaterThanOrEqual(0);
      const allowed = at >= killedAt - 1000 && at <= backAt ? backAt - at + ON_TIME_MS : ON_TIME_MS;
      expect(late, `${f.name} ${f.scheduled} started late\n${plan}`).toBeLessThanOrEqual(allowed);
    }
    // The plan exercised what it is about: creation runs, the restart and the re-created name.
    for (const name of [rate, down]) {
      const creationRun = claims.find((c) => c.name === name && c.source.endsWith('create'));
      const recreated = claims.filter((c) => c.name === name && c.source.endsWith('create')).at(-1);
      for (const c of [creationRun, recreated])
        expect(keys, `${name}'s creation run\n${plan}`).toContain(`${name} ${c?.runs[0]}`);
    }
    expect(
      fired.some((f) => Date.parse(f.scheduled) > killedAt && Date.parse(f.scheduled) < backAt),
      `nothing fell due while the service was down\n${plan}`,
    ).toBe(true);
  }, 170_000);
});
