import type { ExecutionStatus } from '../../scheduling/triggers.js';
import { ids } from '../ids.js';
import {
  actions,
  button,
  channel,
  clip,
  code,
  context,
  esc,
  section,
  sections,
  when,
} from './kit.js';
import { startedByText, tickText } from './provenance.js';
import type { ReplyOf, SlackMessage } from './reply-blocks.js';

/** Replies about pipelines and their executions: runs, history, where executions are posted. */

/** A pipeline just started. */
export function startedMessage(reply: ReplyOf<'started'>): SlackMessage {
  return {
    text: `started ${reply.pipeline}: ${reply.executionArn}`,
    blocks: [
      section(`:rocket: Started *${esc(reply.pipeline)}*`),
      context(`Execution ${code(reply.executionArn)}`),
    ],
  };
}

/** A pipeline's recent runs, with a Run now button. */
export function historyMessage(reply: ReplyOf<'history'>, tz: string | undefined): SlackMessage {
  const run = actions(`${ids.blocks.pipelineActions}_0`, [
    button(ids.actions.runPipeline, 'Run now', reply.pipeline),
  ]);
  if (reply.executions.length === 0)
    return {
      text: `${reply.pipeline} has not run yet`,
      blocks: [section(`*${esc(reply.pipeline)}* has not run yet.`), run],
    };
  return {
    text: `recent runs of ${reply.pipeline}`,
    blocks: [
      section(`*Recent runs of ${esc(reply.pipeline)}*`),
      ...sections(
        reply.executions.map(
          (e) =>
            `${statusIcon(e.status)} ${when(e.startTime, tz)}  *${esc(e.status)}*  ${code(e.arn.split('/').at(-1) ?? e.arn)}${e.failureReason ? `  ${esc(clip(e.failureReason, 300))}` : ''}\n${startedByText(e.startedBy, 'slack')}`,
        ),
        10,
      ),
      run,
    ],
  };
}

/** A schedule's recent runs and what became of each. */
export function ticksMessage(reply: ReplyOf<'ticks'>): SlackMessage {
  if (reply.ticks.length === 0)
    return {
      text: `no runs of ${reply.ref} watched yet`,
      blocks: [section(`No runs of ${code(reply.ref)} watched yet.`)],
    };
  const icon = {
    started: ':white_check_mark:',
    late: ':hourglass:',
    missed: ':warning:',
    skipped: ':fast_forward:',
  } as const;
  return {
    text: `recent runs of ${reply.ref}`,
    blocks: [
      section(`*Recent runs of* ${code(reply.ref)}`),
      ...sections(
        reply.ticks.map((t) => `${icon[t.outcome]} ${clip(tickText(t, 'slack'), 2800)}`),
        10,
      ),
    ],
  };
}

/** The pipelines found. */
export function pipelinesMessage(reply: ReplyOf<'pipelines'>): SlackMessage {
  if (reply.pipelines.length === 0)
    return { text: 'no pipelines found', blocks: [section('No pipelines found.')] };
  return {
    text: `${reply.pipelines.length} pipelines`,
    blocks: [
      ...sections(
        reply.pipelines.map(
          (p) => `*${esc(p.name)}*${p.description ? `  ${esc(clip(p.description, 200))}` : ''}`,
        ),
        10,
      ),
      ...(reply.more ? [context('More pipelines exist: narrow it with a prefix.')] : []),
    ],
  };
}

/** A local event published, or recognised as one received before. */
export function eventPublishedMessage(reply: ReplyOf<'event-published'>): SlackMessage {
  if (reply.duplicate)
    return {
      text: `already received (event id ${esc(reply.id)}): nothing was published again`,
      blocks: [
        section(
          `:repeat: Already received (event id ${code(reply.id)}): nothing was published again.`,
        ),
      ],
    };
  return {
    text: `published event ${reply.id} (${reply.source}, ${reply.detailType})`,
    blocks: [
      section(
        `:incoming_envelope: Published event ${code(reply.id)} (${esc(reply.source)}, ${esc(reply.detailType)})`,
      ),
    ],
  };
}

/** Where a pipeline's executions will now be posted. */
export function subscribedMessage(reply: ReplyOf<'subscribed'>): SlackMessage {
  const what = reply.failuresOnly ? 'failed executions' : 'executions';
  return {
    text: `${reply.pipeline}'s ${what} will be posted in ${reply.channel}.`,
    blocks: [
      section(`*${esc(reply.pipeline)}*'s ${what} will be posted in ${channel(reply.channel)}.`),
    ],
  };
}

/** A channel that no longer hears of a pipeline's executions. */
export function unsubscribedMessage(reply: ReplyOf<'unsubscribed'>): SlackMessage {
  return reply.existed
    ? {
        text: `${reply.pipeline}'s executions will no longer be posted in ${reply.channel}.`,
        blocks: [
          section(
            `*${esc(reply.pipeline)}*'s executions will no longer be posted in ${channel(reply.channel)}.`,
          ),
        ],
      }
    : {
        text: `${reply.channel} was not subscribed to ${reply.pipeline}.`,
        blocks: [
          section(`${channel(reply.channel)} was not subscribed to *${esc(reply.pipeline)}*.`),
        ],
      };
}

function statusIcon(status: ExecutionStatus): string {
  switch (status) {
    case 'Succeeded':
      return ':white_check_mark:';
    case 'Failed':
      return ':x:';
    case 'Executing':
      return ':arrows_counterclockwise:';
    case 'Stopping':
    case 'Stopped':
      return ':black_square_for_stop:';
  }
}
