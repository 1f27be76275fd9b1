import { afterAll, describe, expect, it } from 'vitest';
import { openBotRuntime } from '../src/bot/bot-runtime.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createTestDatabase, dropTestDatabases } from './support/postgres-databases.js';
import { expectOk } from './support/runtime-harness.js';

afterAll(dropTestDatabases);

describe('the service on PostgreSQL', () => {
  it('opens its store from DATABASE_URL=postgres://… and keeps triggers there', async () => {
    const url = await createTestDatabase('runtime');
    const runtime = await openBotRuntime(
      loadConfig({ DATABASE_URL: url }),
      createLogger({ level: 'silent' }),
      { engine: false },
    );
    try {
      expect(runtime.store.kind).toBe('postgres');
      const created = await runtime.service.createSchedule(
        {
          pipeline: 'churn-train',
          expression: 'rate(1 day)',
          name: 'on-postgres',
          roleArn: 'arn:aws:iam::000000000000:role/LocalPipelineScheduler',
        },
        { requestId: 'r1', allowedRoles: 'any' },
      );
      expectOk(created);
    } finally {
      await runtime.close();
    }
    const again = await openBotRuntime(
      loadConfig({ DATABASE_URL: url }),
      createLogger({ level: 'silent' }),
      { engine: false },
    );
    try {
      const listed = await again.service.list();
      expect(listed.ok && listed.value.items.map((i) => i.name)).toEqual(['on-postgres']);
    } finally {
      await again.close();
    }
  });
});
