import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AccessControl, type RequestPayload } from '../../src/auth/access.js';
import { ConfiguredIdentities } from '../../src/auth/identity.js';
import { parsePolicy } from '../../src/auth/policy.js';
import { parseCommand } from '../../src/bot/commands/grammar.js';
import { executeApproved, runCommand } from '../../src/bot/commands/run-command.js';
import { createLogger } from '../../src/logger.js';
import { createLocalBackend } from '../../src/scheduling/local/local-backend.js';
import { parsePipelineCatalog } from '../../src/scheduling/local/pipeline-catalog.js';
import { SchedulingService } from '../../src/scheduling/scheduling-service.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, dropTestDatabases } from '../support/postgres-databases.js';
import { approvalWorkflowContract } from './approval-workflow.js';

afterAll(dropTestDatabases);

let contractDatabase: Promise<string> | undefined;

/** One migrated database for the contract, emptied before each test (they run one at a time). */
async function emptyDatabase(): Promise<string> {
  contractDatabase ??= createTestDatabase('workflow').then(async (url) => {
    await (await openPostgresStore(url)).close();
    return url;
  });
  const url = await contractDatabase;
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ name: string }>(
      "SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'",
    );
    await db.query(`TRUNCATE ${rows.map((r) => r.name).join(', ')} RESTART IDENTITY`);
  } finally {
    await db.end();
  }
  return url;
}

approvalWorkflowContract('PostgreSQL', async () =>
  openPostgresStore(await emptyDatabase(), { poolSize: 4 }),
);

const policyText = `
roles:
  ml:        { users: [U0ALICE] }
  approvers: { users: [${Array.from({ length: 50 }, (_, i) => `U0LEAD${i}`).join(', ')}] }
executionRoles:
  prod: arn:aws:iam::123456789012:role/PipelineSchedulerProd
pipelines:
  - match: "*"
    create: [ml]
    delete: [approvers]
    pause: [ml]
    run: [ml]
    approval: { actions: [create], from: [approvers], count: 1 }
    executionRoles: [prod]
`;

/** One replica: its own pool on the shared database, its own back end and command context. */
async function replica(url: string, executions: { count: number }) {
  const store: Store = await openPostgresStore(url, { poolSize: 5 });
  const parsed = parsePolicy(policyText);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const policy = parsed.policy;
  const backend = createLocalBackend({
    store,
    pipelines: parsePipelineCatalog(
      'pipelines:\n  - name: prod-churn\n    steps: [{ name: Train, seconds: 1 }]\n',
    ),
    log: createLogger({ level: 'silent' }),
    syncIntervalMs: 0,
  });
  await backend.schedules.ensureGroup('sagemaker-pipelines');
  const service = new SchedulingService(backend, store, { group: 'sagemaker-pipelines' });
  const deps = (userId: string) => ({
    service,
    now: () => new Date(),
    userId,
    allowedRoles: [] as string[],
    roleAliases: {},
    access,
    auditLog: store.audit,
  });
  const access: AccessControl = new AccessControl({
    policy: () => policy,
    identities: new ConfiguredIdentities(undefined),
    store,
    now: () => new Date(),
    execute: async (payload: RequestPayload, requestId: string) => {
      executions.count++;
      return executeApproved(payload, requestId, deps(payload.access.userId));
    },
  });
  return {
    store,
    service,
    access,
    deps,
    close: async () => {
      backend.pipelines.close();
      await store.close();
    },
  };
}

describe('approvals across two replicas on one PostgreSQL', () => {
  it('50 concurrent approvals of one request create exactly one schedule; every other approver hears "already decided"', async () => {
    const url = await createTestDatabase('approvals');
    const executions = { count: 0 };
    const a = await replica(url, executions);
    const b = await replica(url, executions);
    try {
      const parsed = parseCommand(
        "create prod-churn 'cron(0 8 ? * MON-FRI *)' name=prod-weekdays role=prod",
      );
      if (!parsed.ok) throw new Error(parsed.message);
      const asked = await runCommand(parsed.command, a.deps('U0ALICE'));
      expect(asked.kind).toBe('approval-requested');
      if (asked.kind !== 'approval-requested') return;
      const id = asked.request.id;

      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 === 0 ? a : b).access.workflow.approve(id, `U0LEAD${i}`),
        ),
      );

      expect(executions.count).toBe(1);
      const winners = results.filter((r) => r.ok && r.value.status === 'EXECUTED');
      expect(winners).toHaveLength(1);
      const others = results.filter((r) => !(r.ok && r.value.status === 'EXECUTED'));
      expect(others).toHaveLength(49);
      for (const r of others) {
        expect(r.ok ? r.value.status : r.error.code).toBe('ALREADY_DECIDED');
        if (!r.ok) expect(r.error.message).toMatch(/already approved/);
      }
      const list = await a.service.list();
      expect(list.ok && list.value.items.map((i) => i.name)).toEqual(['prod-weekdays']);
      expect((await b.store.approvals.get(id))?.status).toBe('EXECUTED');
      const transitions = (await a.store.audit.list({ limit: 200 })).filter(
        (e) => e.requestId === id && (e.event === 'approved' || e.event === 'executed'),
      );
      expect(transitions.map((e) => e.event).sort()).toEqual(['approved', 'executed']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
