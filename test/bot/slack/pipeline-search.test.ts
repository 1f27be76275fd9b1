import { describe, expect, it } from 'vitest';
import { PipelineSearch } from '../../../src/bot/slack/pipeline-search.js';
import { createLogger } from '../../../src/logger.js';
import { createLocalBackend } from '../../../src/scheduling/local/local-backend.js';
import {
  localPipelineArn,
  type SimulatedPipeline,
} from '../../../src/scheduling/local/pipeline-catalog.js';
import { SchedulingService } from '../../../src/scheduling/scheduling-service.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';

function serviceWith(names: string[]) {
  const pipelines: SimulatedPipeline[] = names.map((name) => ({
    name,
    arn: localPipelineArn(name),
    parameters: [],
    steps: [{ name: 'Run', type: 'Processing', seconds: 1 }],
  }));
  const store = openSqliteStore('sqlite::memory:');
  const backend = createLocalBackend({
    store,
    pipelines,
    log: createLogger({ level: 'silent' }),
    syncIntervalMs: 0,
  });
  return new SchedulingService(backend, store, { group: 'g' });
}

describe('finding a pipeline by typing part of its name', () => {
  it('matches names that start with the text first, then names that contain it', async () => {
    const search = new PipelineSearch(
      serviceWith(['team-a-churn-train', 'churn-eval', 'ingest', 'churn-train']),
    );
    expect((await search.search('churn')).map((p) => p.name)).toEqual([
      'churn-eval',
      'churn-train',
      'team-a-churn-train',
    ]);
    expect((await search.search('')).map((p) => p.name)).toHaveLength(4);
  });

  it("answers well within Slack's three seconds with 10,000 pipelines, at most 100 options", async () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `team-${i % 50}-model-${i}`);
    let now = 0;
    const search = new PipelineSearch(serviceWith(names), () => now);
    const cold = performance.now();
    const first = await search.search('model-99');
    const coldMs = performance.now() - cold;
    expect(first.map((p) => p.name)).toContain('team-49-model-99');
    expect(first.length).toBeLessThanOrEqual(100);
    const warm = performance.now();
    for (let i = 0; i < 20; i++) await search.search(`team-${i}`);
    const warmMs = (performance.now() - warm) / 20;
    // Loose bounds for a loaded 2-core CI machine; typical here: cold ~100 ms, warm < 5 ms.
    expect(coldMs).toBeLessThan(2500);
    expect(warmMs).toBeLessThan(100);
    now = 61_000; // the list is read again after a minute
    expect((await search.search('team-1-')).length).toBe(100);
  });
});
