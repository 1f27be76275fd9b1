import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
