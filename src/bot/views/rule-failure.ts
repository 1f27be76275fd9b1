import type { KnownBlock } from '@slack/web-api';
import { clip, code, esc } from './kit.js';
import { LIMITS } from './limits.js';

/** One target of a rule that matched an event but could not start its pipeline. */
export interface RuleFailure {
  rule: string;
  pipelineName: string;
  eventId: string;
  error: string;
}

/**
 * Told in the rule's channel: an event matched, the pipeline did not start, and why. Without
 * it the only trace is a log line, and the team learns of the missed run days later.
 */
export function ruleFailureMessage(failure: RuleFailure): { text: string; blocks: KnownBlock[] } {
  const text = `:warning: Rule ${code(failure.rule)} matched event ${code(failure.eventId)} but could not start ${esc(failure.pipelineName)}: ${esc(clip(failure.error, 1000))}`;
  return {
    text: clip(text, LIMITS.sectionText),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } }],
  };
}
