import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * SQLite serves one process. A second `npm start` on the same file used to start without a
 * word, and both processes fired the same schedules; now it refuses, naming the file and the
 * process that holds it, and the first goes on alone.
 */
const root = join(import.meta.dirname, '..');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const started = new Promise<number>((resolve, reject) => {
    const check = setInterval(() => {
      const port = /"port":(\d+),"msg":"pipeline-schedule-bot started"/.exec(output)?.[1];
      if (port) {
        clearInterval(check);
        resolve(Number(port));
      }
    }, 50);
    child.once('exit', () => {
      clearInterval(check);
      reject(new Error(output));
    });
  });
  // Awaited only where the process is expected to start.
  started.catch(() => undefined);
  const exited = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, output })),
  );
  return { child, started, exited, output: () => output };
}

describe('two services on one SQLite file', () => {
  it('the second refuses to start and says which process holds the file; the first leads on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'single-leader-'));
    const env = { DATABASE_URL: `sqlite:${join(dir, 'bot.db')}` };
    const first = start(env);
    const port = await first.started;
    expect(first.output()).toContain('this replica leads');

    const second = start(env);
    const result = await second.exited;
    expect(result.code).toBe(2);
    expect(result.output).toContain(`sqlite:${join(dir, 'bot.db')} is in use by another`);
    expect(result.output).toContain(`pid ${first.child.pid}`);
    expect(result.output).not.toMatch(/^\s+at /m);

    // The first is untouched and still serving.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('a leader killed with SIGKILL leaves a stale lock that the next start takes over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'single-leader-'));
    const env = { DATABASE_URL: `sqlite:${join(dir, 'bot.db')}` };
    const first = start(env);
    await first.started;
    first.child.kill('SIGKILL');
    await first.exited;
    const next = start(env);
    await next.started;
    expect(next.output()).toContain('this replica leads');
  });
});
