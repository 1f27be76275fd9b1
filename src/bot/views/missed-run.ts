import type { KnownBlock } from '@slack/web-api';
import type { Tick } from '../../scheduling/ticks.js';
import { ids } from '../ids.js';
import {
  actions,
  button,
  clip,
  code,
  context,
  esc,
  fieldsSection,
  inZone,
  section,
} from './kit.js';
import { LIMITS } from './limits.js';
import { occurrenceText } from './provenance.js';

/**
 * A schedule's run that did not start, told in the channels its executions go to: which run,
 * in the schedule's zone and (through Slack's date token) each reader's own, the probable cause,
 * and what to do about it. Once a retry starts it after all, the same message says "started
 * late", so the channel is not left with a false alarm.
 */
export function missedRunMessage(tick: Tick): { text: string; blocks: KnownBlock[] } {
  const run = occurrenceText(tick.occurrence.toISOString(), tick.timeZone);
  const schedule = code(tick.ref);
  const pipeline = esc(tick.pipelineName);
  const reason = esc(clip(tick.reason ?? 'no execution started and nothing says why', 1500));
  if (tick.outcome === 'late') {
    const execution = tick.executionArn
      ? ` as execution ${code(executionId(tick.executionArn))}`
      : '';
    const text = `:large_yellow_circle: Started late: ${run} of schedule ${schedule} (pipeline ${pipeline}) did start${execution}, by a retry, after it was reported missed.`;
    return {
      text: clip(text, LIMITS.sectionText),
      blocks: [
        section(text),
        context(`Reported missed first: ${reason}`),
        actions(ids.blocks.triggerActions, [button(ids.actions.describe, 'Describe', tick.ref)]),
      ],
    };
  }
  const text = `:warning: Missed run: schedule ${schedule} did not start pipeline ${pipeline} for ${run}. Probable cause: ${reason}`;
  return {
    text: clip(text, LIMITS.sectionText),
    blocks: [
      section(
        `:warning: *Missed run* of schedule ${schedule}: pipeline ${pipeline} did not start.`,
      ),
      ...fieldsSection([
        ['Run', `${run}\n${readerTime(tick.occurrence)}`],
        ['Probable cause', reason],
      ]),
      actions(ids.blocks.triggerActions, [
        button(ids.actions.runNow, 'Run now', tick.ref, { style: 'primary' }),
        button(ids.actions.pause, 'Pause', tick.ref),
        button(ids.actions.describe, 'Describe', tick.ref),
      ]),
    ],
  };
}

/** The instant in each reader's zone (Slack renders the token); UTC where it cannot. */
function readerTime(instant: Date): string {
  const seconds = Math.floor(instant.getTime() / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time} your time|${inZone(instant, 'UTC')}>`;
}

function executionId(arn: string): string {
  return arn.split('/').at(-1) ?? arn;
}
