import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/bot/commands/grammar.js';
import { renderText } from '../../src/bot/commands/render-text.js';
import { runCommand } from '../../src/bot/commands/run-command.js';
import { TerminalPoster } from '../../src/bot/slack/posters.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openRuntime } from '../../src/runtime.js';

describe("the local back end's events", () => {
  it('take the same path — stored, then shown as one live message per execution', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-events-'));
    writeFileSync(
      join(dir, 'pipelines.yml'),
      'pipelines:\n  - name: quick\n    steps:\n      - { name: Prepare, seconds: 0 }\n      - { name: Check, seconds: 0, fails: "AUC 0.61 is below 0.70" }\n',
    );
    const lines: string[] = [];
    const runtime = await openRuntime(
      loadConfig({
        DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
        LOCAL_PIPELINES_FILE: join(dir, 'pipelines.yml'),
      }),
      createLogger({ level: 'silent' }),
      {
        engine: true,
        notify: {
          poster: new TerminalPoster((l) => lines.push(l)),
          defaultRoutes: () => [{ channel: 'terminal', filter: 'all' }],
          paceMs: 0,
        },
      },
    );
    try {
      const started = await runtime.service.runNow('quick', [], {
        requestId: 'r1',
        allowedRoles: 'any',
      });
      expect(started.ok).toBe(true);
      for (let i = 0; i < 50 && !lines.some((l) => /Failed/.test(l)); i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(lines.at(-2)).toMatch(
        /^● quick [0-9a-f]{12}: Failed — Check: AUC 0.61 is below 0.70$/,
      );
      expect(lines.at(-1)).toMatch(/^ {3}↳ quick failed: Check: AUC 0.61 is below 0.70$/);
      expect(await runtime.store.events.pendingCount()).toBe(0);
      expect((await runtime.store.events.pending(10)).length).toBe(0);
    } finally {
      await runtime.close();
    }
  });
});

describe('events published with put-event', () => {
  async function terminalRuntime() {
    const dir = mkdtempSync(join(tmpdir(), 'put-event-'));
    writeFileSync(
      join(dir, 'pipelines.yml'),
      'pipelines:\n  - name: train\n    parameters:\n      - { name: Epochs, type: Integer, default: 10 }\n    steps:\n      - { name: Fit, seconds: 0 }\n',
    );
    const lines: string[] = [];
    const runtime = await openRuntime(
      loadConfig({
        DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
        LOCAL_PIPELINES_FILE: join(dir, 'pipelines.yml'),
      }),
      createLogger({ level: 'silent' }),
      {
        engine: true,
        notify: {
          poster: new TerminalPoster((l) => lines.push(l)),
          defaultRoutes: () => [{ channel: 'terminal', filter: 'all' }],
          paceMs: 0,
        },
      },
    );
    const run = async (text: string) => {
      const parsed = parseCommand(text);
      if (!parsed.ok) throw new Error(parsed.message);
      return renderText(await runCommand(parsed.command, runtime.commandDeps('U0LOCAL'))).stdout;
    };
    return { runtime, lines, run };
  }

  it('a rule whose pipeline cannot start says so in its channel, with the reason and the event id', async () => {
    const { runtime, lines, run } = await terminalRuntime();
    try {
      await run(
        'on-event train {"source":["acme.ledger"]} name=on-ledger param:Epochs=$.detail.epochs',
      );
      await run(
        'put-event {"id":"evt-lots","source":"acme.ledger","detail-type":"Closed","detail":{"epochs":"lots"}}',
      );
      for (let i = 0; i < 50 && !lines.some((l) => /could not start/.test(l)); i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const told = lines.find((l) => /could not start/.test(l)) ?? '';
      expect(told).toMatch(
        /Rule `on-ledger` matched event `evt-lots` but could not start train: .*Epochs/,
      );
    } finally {
      await runtime.close();
    }
  });

  it('the same event id again is not published twice, and the person is told', async () => {
    const { runtime, run } = await terminalRuntime();
    try {
      const event =
        'put-event {"id":"evt-1","source":"acme.ledger","detail-type":"Closed","detail":{}}';
      expect((await run(event)).join('\n')).toMatch(/published event evt-1/);
      expect((await run(event)).join('\n')).toMatch(/already received \(event id evt-1\)/);
    } finally {
      await runtime.close();
    }
  });
});
