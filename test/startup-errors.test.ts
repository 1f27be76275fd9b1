import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * A person who makes a mistake starting the service or piping the CLI reads one sentence that
 * says what to fix, never a stack trace.
 */
const root = join(import.meta.dirname, '..');
const STACK = /^\s+at |Node\.js v\d|sonic boom|EPIPE/m;

/** `npm start` as a person runs it: in a terminal (a pseudo-terminal made by `script`). */
async function startInTerminal(env: Record<string, string>) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('script', ['-qec', 'node --import tsx src/main.ts', '/dev/null'], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

function files() {
  const dir = mkdtempSync(join(tmpdir(), 'startup-'));
  return { dir, db: `sqlite:${join(dir, 'bot.db')}` };
}

describe('start-up mistakes', () => {
  it('a bad policy file: the problem and its line, exit 2, no stack', async () => {
    const { dir, db } = files();
    writeFileSync(join(dir, 'policy.yml'), 'roles: [\n');
    const result = await startInTerminal({
      POLICY_FILE: join(dir, 'policy.yml'),
      DATABASE_URL: db,
    });
    expect(result.output).toMatch(/Invalid access policy .*policy\.yml/);
    expect(result.output).not.toMatch(STACK);
    expect(result.code).toBe(2);
  });

  it('a bad pipelines file: exit 2, no stack', async () => {
    const { dir, db } = files();
    writeFileSync(join(dir, 'pipelines.yml'), 'pipelines:\n  - name: 7\n');
    const result = await startInTerminal({
      LOCAL_PIPELINES_FILE: join(dir, 'pipelines.yml'),
      DATABASE_URL: db,
    });
    expect(result.output).toMatch(/pipelines\.yml/);
    expect(result.output).not.toMatch(STACK);
    expect(result.code).toBe(2);
  });

  it('a port in use: says which and what to do, exit 2, no stack', async () => {
    const { db } = files();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await startInTerminal({ PORT: String(port), DATABASE_URL: db });
      expect(result.output).toContain(`PORT ${port} is in use by another process`);
      expect(result.output).not.toMatch(STACK);
      expect(result.code).toBe(2);
    } finally {
      blocker.close();
    }
  });
});

describe('the CLI in a pipe', () => {
  it('stops quietly when the reader goes away (| head)', async () => {
    const { db } = files();
    const run = promisify(execFile);
    // help prints more than head reads; head exits after one line and closes the pipe.
    const { stdout, stderr } = await run(
      'bash',
      ['-c', 'for i in 1 2 3; do node bin/pipeline-schedule.js help; done | head -1'],
      { cwd: root, env: { ...process.env, DATABASE_URL: db } },
    );
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(stderr).not.toMatch(STACK);
  });
});
