import { describe, expect, it } from 'vitest';
import { type PipelineEvent, parseEvent } from '../../src/notifications/events.js';
import { applyEvent, type ExecutionState } from '../../src/notifications/execution-state.js';
import { executionEvent, stepEvent } from './fixtures.js';

const pe = (event: object): PipelineEvent => {
  const parsed = parseEvent(JSON.stringify(event));
  if (!parsed.ok || !parsed.pipeline) throw new Error('not a pipeline event');
  return parsed.pipeline;
};
const fold = (events: object[]) =>
  events.reduce<ExecutionState | undefined>((s, e) => applyEvent(s, pe(e)), undefined);

describe('what an execution is, from events in any order', () => {
  const inOrder = [
    executionEvent('a', 'x1', 'Executing', { time: '2026-03-02T09:00:41Z' }),
    stepEvent('b', 'x1', 'Train', 'Executing', { time: '2026-03-02T09:01:00Z' }),
    stepEvent('c', 'x1', 'Train', 'Failed', {
      time: '2026-03-02T09:13:57Z',
      failureReason: 'AlgorithmError',
    }),
    executionEvent('d', 'x1', 'Failed', { previous: 'Executing', time: '2026-03-02T09:14:05Z' }),
  ];

  it('ends at the true final status, whatever the order and however often events repeat', () => {
    const expected = fold(inOrder);
    expect(expected).toMatchObject({
      status: 'Failed',
      failureReason: 'Train: AlgorithmError',
      steps: { Train: { status: 'Failed' } },
    });
    const shuffled = [
      inOrder[3],
      inOrder[1],
      inOrder[0],
      inOrder[2],
      inOrder[3],
      inOrder[0],
      inOrder[1],
    ].filter((e): e is (typeof inOrder)[number] => e !== undefined);
    const result = fold(shuffled);
    expect(result?.status).toBe('Failed');
    expect(result?.steps.Train?.status).toBe('Failed');
    expect(result?.failureReason).toBe('Train: AlgorithmError');
  });

  it('never shows an older status over a newer one', () => {
    const done = fold([executionEvent('d', 'x1', 'Succeeded', { time: '2026-03-02T09:14:05Z' })]);
    expect(
      applyEvent(done, pe(executionEvent('a', 'x1', 'Executing', { time: '2026-03-02T09:00:41Z' })))
        .status,
    ).toBe('Succeeded');
  });

  it('ignores an event it has already applied', () => {
    const once = fold([stepEvent('b', 'x1', 'Train', 'Executing')]);
    expect(applyEvent(once, pe(stepEvent('b', 'x1', 'Train', 'Executing')))).toBe(once);
  });
});
