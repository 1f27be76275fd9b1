import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TriggerError } from '../../src/scheduling/errors.js';
import type { SchedulingMetrics } from '../../src/scheduling/metrics.js';
import type { Backend } from '../../src/scheduling/ports.js';
import { SchedulingService } from '../../src/scheduling/scheduling-service.js';
import { type LocalHarness, ROLE, startLocal } from '../support/local-backend.js';
import { expectOk } from '../support/runtime-harness.js';

/** The service on the local back end, with a back end that fails where a test says. */

const ctx = { requestId: 'req-1', allowedRoles: 'any' as const };
const pattern = JSON.stringify({ source: ['aws.s3'] });

let local: LocalHarness;
let counted: string[];
let failGet: ((name: string) => Error | undefined) | undefined;
let service: SchedulingService;

beforeEach(async () => {
  local = await startLocal();
  counted = [];
  failGet = undefined;
  const rules = local.backend.rules;
  // Only rules.get is changed: ListRules answers, the DescribeRule after it may fail.
  const backend: Backend = {
    ...local.backend,
    rules: {
      put: (rule) => rules.put(rule),
      update: (rule) => rules.update(rule),
      setState: (name, state, bus) => rules.setState(name, state, bus),
      delete: (name, bus) => rules.delete(name, bus),
      removeTargets: (name, ids, bus) => rules.removeTargets(name, ids, bus),
      list: (query) => rules.list(query),
      namesByTarget: (arn, bus) => rules.namesByTarget(arn, bus),
      tags: (arn, name) => rules.tags(arn, name),
      get: async (name, bus) => {
        const error = failGet?.(name);
        if (error) throw error;
        return rules.get(name, bus);
      },
    },
  };
  const metrics: SchedulingMetrics = {
    triggerChanged: (action, kind) => counted.push(`${action} ${kind}`),
    awsCallFailed: (awsService, code) => counted.push(`${awsService} ${code}`),
  };
  service = new SchedulingService(backend, local.store, { group: 'g', metrics });
  for (const name of ['on-data-a', 'on-data-b']) {
    const created = await service.createEventTrigger(
      { pipelines: ['churn-train'], eventPattern: pattern, name, roleArn: ROLE },
      { ...ctx, requestId: name },
    );
    expect(created.ok).toBe(true);
  }
});

afterEach(async () => {
  await local.close();
});

describe('listing triggers', () => {
  it('skips a rule deleted between ListRules and its DescribeRule', async () => {
    failGet = (name) =>
      name === 'on-data-a'
        ? new TriggerError('NOT_FOUND', `rule ${name} was not found`)
        : undefined;
    const listed = await service.list();
    expect(listed.ok && listed.value.items.map((i) => i.name)).toEqual(['on-data-b']);
  });

  it('fails the listing when AWS throttles a DescribeRule, rather than dropping the rule', async () => {
    failGet = (name) =>
      name === 'on-data-b'
        ? new TriggerError('THROTTLED', 'AWS is throttling requests; try again in a minute')
        : undefined;
    expect(await service.list()).toEqual({
      ok: false,
      error: { code: 'THROTTLED', message: 'AWS is throttling requests; try again in a minute' },
    });
    expect((await service.orphans()).ok).toBe(false);
  });

  it('lets an unexpected error through to the edge', async () => {
    failGet = () => new Error('the store is gone');
    await expect(service.list()).rejects.toThrow('the store is gone');
  });
});

describe('metrics', () => {
  it('counts triggers created and deleted through the port it was given', async () => {
    expect((await service.delete('on-data-a', ctx)).ok).toBe(true);
    expect(counted).toEqual(['created event', 'created event', 'deleted event']);
  });
});

describe('describing a trigger whose record the bot cannot read', () => {
  it('still describes it, with no drift claimed, and reports drift again once the record is sound', async () => {
    const record = await local.store.triggerRecords.get('event', 'on-data-a');
    expect(record).toBeDefined();
    if (!record) return;
    await local.store.triggerRecords.put({ ...record, spec: '{"not": "a rule"' });
    const described = expectOk(await service.describe('on-data-a'));
    expect(described.kind === 'event' && described.drift).toEqual([]);
    // A readable record that differs from AWS is drift, as before.
    await local.store.triggerRecords.put({
      ...record,
      spec: JSON.stringify({ ...JSON.parse(record.spec), state: 'DISABLED' }),
    });
    const drifted = expectOk(await service.describe('on-data-a'));
    expect(drifted.kind === 'event' && drifted.drift).toEqual(['state']);
  });
});
