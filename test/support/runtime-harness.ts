import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type BotRuntime, openBotRuntime } from '../../src/bot/bot-runtime.js';
import { parseCommand } from '../../src/bot/commands/grammar.js';
import { renderText } from '../../src/bot/commands/render-text.js';
import type { Reply } from '../../src/bot/commands/replies.js';
import { runCommand } from '../../src/bot/commands/run-command.js';
import { TerminalPoster } from '../../src/bot/slack/posters.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';

/**
 * "A runtime with this policy and these pipelines": the real product on the local back end
 * and a fresh SQLite file, as the tests of every front end need it.
 */
export interface RuntimeHarness {
  runtime: BotRuntime;
  /** The folder holding the policy, the pipelines and the store. */
  dir: string;
  /** Log lines the runtime wrote (JSON objects), with `logs: true`. */
  logs: Array<Record<string, unknown>>;
  /** What the terminal would show of executions and rule failures, with `engine: true`. */
  lines: string[];
  log: Logger;
  /** Runs one line of the command grammar as `user` (default LOCAL_USER). */
  ask(text: string, user?: string): Promise<Reply>;
  /** The same, as the CLI and the terminal print it. */
  say(text: string, user?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startRuntime(options: {
  policy?: string;
  pipelines?: string;
  env?: Record<string, string>;
  /** Fire schedules and post executions to `lines`, as `npm start` in a terminal does. */
  engine?: boolean;
  /** Keep the log lines in `logs` (silent otherwise). */
  logs?: boolean;
}): Promise<RuntimeHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'runtime-'));
  const env: Record<string, string> = { DATABASE_URL: `sqlite:${join(dir, 'bot.db')}` };
  if (options.policy !== undefined) {
    writeFileSync(join(dir, 'policy.yml'), options.policy);
    env.POLICY_FILE = join(dir, 'policy.yml');
  }
  if (options.pipelines !== undefined) {
    writeFileSync(join(dir, 'pipelines.yml'), options.pipelines);
    env.LOCAL_PIPELINES_FILE = join(dir, 'pipelines.yml');
  }
  const config = loadConfig({ LOCAL_TZ: 'UTC', ...env, ...options.env });
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger(
    options.logs
      ? {
          level: 'info',
          destination: { write: (line: string) => logs.push(JSON.parse(line)) },
        }
      : { level: 'silent' },
  );
  const lines: string[] = [];
  const runtime = await openBotRuntime(config, log, {
    engine: options.engine ?? false,
    ...(options.engine
      ? {
          notify: {
            poster: new TerminalPoster((shown) => lines.push(...shown)),
            defaultRoutes: () => [{ channel: 'terminal', filter: 'all' as const }],
            paceMs: 0,
          },
        }
      : {}),
  });
  const ask = async (text: string, user = config.localUser) => {
    const parsed = parseCommand(text);
    if (!parsed.ok) throw new Error(`the test typed a bad command: ${parsed.message}`);
    return runCommand(parsed.command, runtime.commandDeps(user));
  };
  return {
    runtime,
    dir,
    logs,
    lines,
    log,
    ask,
    async say(text, user) {
      // Read as the terminal shows it, in LOCAL_TZ (UTC unless a test sets it), at the runtime's now.
      const shown = renderText(await ask(text, user), {
        timeZone: config.localTimeZone,
        now: runtime.commandDeps(user ?? config.localUser).now(),
      });
      return [...shown.stdout, ...shown.stderr].join('\n');
    },
    close: () => runtime.close(),
  };
}

/** Waits until `check` holds (the engine and the notifier work after the call returns). */
export async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A service result that must have succeeded: the error is printed when it did not. */
export function expectOk<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok) expect.fail(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}
