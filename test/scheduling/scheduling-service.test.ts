import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TriggerError } from '../../src/scheduling/errors.js';
import type { SchedulingMetrics } from '../../src/scheduling/metrics.js';
import type { Backend } from '../../src/scheduling/ports.js';
import { SchedulingService } from '../../src/scheduling/scheduling-service.js';
import { type LocalHarness, ROLE, startLocal } from '../support/local-backend.js';

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
      setState: (name, state) => rules.setState(name, state),
      delete: (name) => rules.delete(name),
      list: (query) => rules.list(query),
      get: async (name) => {
        const error = failGet?.(name);
        if (error) throw error;
        return rules.get(name);
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
