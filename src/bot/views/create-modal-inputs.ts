import { createHash } from 'node:crypto';
import type { InputBlock, InputBlockElement, PlainTextOption } from '@slack/web-api';
import { option, plain } from './kit.js';
import { LIMITS } from './limits.js';

/** The create modal's building blocks: an input with its label and hint, and its options. */

/**
 * The value a pipeline's option carries: the name, or for names longer than an option value may
 * be (75), a prefix and a hash. Use it for the options listener too, and compare with
 * `pipelineOptionValue(name) === value` to map a long one back.
 */
export function pipelineOptionValue(name: string): string {
  if (name.length <= LIMITS.optionValue) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 10);
  return `${name.slice(0, LIMITS.optionValue - 11)}~${hash}`;
}

/** A pipeline as an option of the external select (text clipped to 75). */
export function pipelineOption(name: string, description?: string): PlainTextOption {
  return option(name, pipelineOptionValue(name), description);
}

/** A time zone as an option of the external select. */
export function timeZoneOption(zone: string): PlainTextOption {
  return option(zone, zone);
}

/** An input block, its label and hint clipped to Slack's limits. */
export function input(
  id: { block: string; action: string },
  label: string,
  element: InputBlockElement,
  extra: { hint?: string; optional?: boolean; dispatch?: boolean } = {},
): InputBlock {
  return {
    type: 'input',
    block_id: id.block,
    label: plain(label, LIMITS.inputLabel),
    element,
    ...(extra.hint ? { hint: plain(extra.hint, LIMITS.inputHint) } : {}),
    ...(extra.optional ? { optional: true } : {}),
    ...(extra.dispatch ? { dispatch_action: true } : {}),
  };
}

/** A placeholder, clipped to Slack's limit. */
export const placeholder = (text: string) => plain(text, LIMITS.placeholder);
