import type { Button, KnownBlock } from '@slack/types';
import type { ExecutionLinks, ExecutionState } from '../../notifications/execution-state.js';
import { ids } from '../ids.js';
import {
  actions,
  button,
  clip,
  code,
  context,
  esc,
  fieldsSection,
  person,
  section,
} from './kit.js';
import { LIMITS } from './limits.js';
import { startedByText } from './provenance.js';

const icons: Record<string, string> = {
  Executing: ':hourglass_flowing_sand:',
  Stopping: ':double_vertical_bar:',
  Stopped: ':black_square_for_stop:',
  Failed: ':x:',
  Succeeded: ':white_check_mark:',
};

/** Steps listed in the message; a long pipeline shows a count for the rest. */
const MAX_STEPS_SHOWN = 15;
/** Slack truncates `text` at 40,000 characters; a notification needs far less. */
const FALLBACK_TEXT_MAX = 3000;

/**
 * One execution as one message, kept current: status, pipeline, what started it, duration,
 * step progress, failure reason, and buttons (open, pause its trigger, run again). Pure.
 *
 * Everything in the state came from events (which anyone allowed to put events can forge) or
 * from AWS, so every value is escaped, the `text` fallback included: Slack reads it as mrkdwn
 * and notifies from it.
 */
export function executionMessage(
  state: ExecutionState,
  links: ExecutionLinks = {},
): { text: string; blocks: KnownBlock[] } {
  const icon = icons[state.status] ?? ':grey_question:';
  const steps = Object.entries(state.steps);
  const done = steps.filter(([, s]) => s.status === 'Succeeded').length;
  const id = state.executionArn.split('/').at(-1) ?? state.executionArn;
  const text = esc(
    `${state.pipelineName} ${id}: ${state.status}${state.failureReason ? ` — ${state.failureReason}` : ''}`,
  );
  const blocks: KnownBlock[] = [
    section(
      `${icon} *${esc(clip(state.pipelineName, 200))}* ${code(id)} is *${esc(state.status.toLowerCase())}*`,
    ),
    ...fieldsSection([
      [
        'Started by',
        state.startedBy
          ? clip(underLabel(startedByText(state.startedBy, 'slack')), 1900)
          : links.trigger
            ? code(links.trigger)
            : state.description
              ? esc(clip(state.description, 200))
              : undefined,
      ],
      ['Duration', duration(state)],
      ['Steps', steps.length ? `${done} of ${steps.length} done` : undefined],
      [
        'Parameters',
        state.parameters?.length
          ? clip(state.parameters.map((p) => `${esc(p.name)}=${code(p.value)}`).join(', '), 1900)
          : undefined,
      ],
    ]),
  ];
  if (steps.length > 0) {
    const lines = steps
      .slice(0, MAX_STEPS_SHOWN)
      .map(
        ([name, s]) =>
          `${icons[s.status] ?? '•'} ${esc(clip(name, 64))} — ${esc(s.status.toLowerCase())}`,
      );
    if (steps.length > MAX_STEPS_SHOWN) lines.push(`…and ${steps.length - MAX_STEPS_SHOWN} more`);
    blocks.push(section(lines.join('\n')));
  }
  if (state.failureReason)
    blocks.push(section(`*Why it failed:* ${esc(clip(state.failureReason, 2500))}`));
  const buttons: Button[] = [];
  if (links.consoleUrl)
    buttons.push({
      ...button(ids.actions.openExecution, 'Open execution'),
      url: clip(links.consoleUrl, LIMITS.buttonUrl),
    });
  if (links.trigger) buttons.push(button(ids.actions.pause, 'Pause trigger', links.trigger));
  if (state.status !== 'Executing' && state.status !== 'Stopping')
    buttons.push(button(ids.actions.rerunExecution, 'Run again', state.executionArn));
  if (buttons.length) blocks.push(actions(`${ids.blocks.executionActions}_0`, buttons));
  blocks.push(context(esc(clip(state.executionArn, 500))));
  return { text: clip(text, FALLBACK_TEXT_MAX), blocks };
}

/**
 * The reply in an execution's thread when it fails. `concerns` is whom it concerns (the
 * trigger's creator): a Slack user id becomes a mention, so they are notified; anything else
 * (cli:ana) shows as text. Text only, which Slack reads as mrkdwn: the pipeline name and the
 * failure reason (from a step event) are escaped.
 */
export function failureReply(state: ExecutionState, concerns?: string): { text: string } {
  const who = concerns ? `${person(concerns)} ` : '';
  const why = state.failureReason ? `: ${esc(state.failureReason)}` : '';
  return { text: clip(`${who}${esc(state.pipelineName)} failed${why}`, FALLBACK_TEXT_MAX) };
}

function duration(state: ExecutionState): string | undefined {
  if (!state.startTime) return undefined;
  const end = state.endTime ? Date.parse(state.endTime) : undefined;
  const start = Date.parse(state.startTime);
  if (Number.isNaN(start)) return undefined;
  if (end === undefined) return `running since ${esc(state.startTime.slice(11, 16))} UTC`;
  const seconds = Math.max(0, Math.round((end - start) / 1000));
  return seconds < 60
    ? `${seconds} s`
    : seconds < 3600
      ? `${Math.floor(seconds / 60)} min ${seconds % 60} s`
      : `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** Under the label "Started by", the words say it once: "@Alice with Run now", "likely rule x". */
function underLabel(startedBy: string): string {
  return startedBy.replace(/^(likely )?started by /, '$1');
}
