import type { AnyBlock, KnownBlock, PlainTextElement } from '@slack/web-api';

/**
 * Block Kit limits, pinned from shared/reference/slack-platform.md §4–5 (docs.slack.dev
 * and the Slack SDK validators). Slack answers a payload that breaks one with `invalid_blocks`
 * or `invalid_arguments`, so the builders clip to these and the tests check every view.
 */
export const LIMITS = {
  blocks: { message: 50, modal: 100, home: 100 },
  blockId: 255,
  actionId: 255,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  /**
   * Not in the reference table: a context text element is a text object (≤ 3000); we keep to
   * 2000 to stay clear of any tighter per-element rule.
   */
  contextText: 2000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  accessibilityLabel: 75,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  optionText: 75,
  optionDescription: 75,
  /** docs.slack.dev says 150; @slack/types 3.2.0 says 75: keep to the smaller. */
  optionValue: 75,
  selectOptions: 100,
  optionGroups: 100,
  optionGroupLabel: 75,
  /** radio_buttons and checkboxes. */
  choiceOptions: 10,
  overflowOptions: 5,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  plainTextInput: 3000,
  imageAltText: 2000,
  modalTitle: 24,
  modalButton: 24,
  callbackId: 255,
  privateMetadata: 3000,
  markdownBlockTotal: 12000,
} as const;

export type Surface = 'message' | 'modal' | 'home';

export interface SurfacePayload {
  blocks: readonly (KnownBlock | AnyBlock)[];
  title?: PlainTextElement;
  submit?: PlainTextElement;
  close?: PlainTextElement;
  callback_id?: string;
  private_metadata?: string;
}

// The checker reads payloads as loose JSON: it must also catch what the types would allow.
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);

/**
 * Every Block Kit limit a payload breaks, as readable sentences (`blocks[3] (section): text is
 * 3012 characters; at most 3000`). Empty when Slack should accept it. Pure; for tests and for
 * logging before a call.
 */
export function blockKitProblems(surface: Surface, payload: SurfacePayload): string[] {
  const problems: string[] = [];
  const say = (where: string, what: string) => problems.push(`${where}: ${what}`);
  const { blocks } = payload;

  const maxBlocks = LIMITS.blocks[surface];
  if (blocks.length > maxBlocks) say(surface, `${blocks.length} blocks; at most ${maxBlocks}`);

  const blockIds = new Set<string>();
  let markdownTotal = 0;
  let hasInput = false;
  blocks.forEach((raw, i) => {
    const block = raw as unknown as Json;
    const type = str(block.type) ?? '?';
    const blockId = str(block.block_id);
    const at = `blocks[${i}] (${type}${blockId ? ` ${blockId}` : ''})`;
    if (blockId !== undefined) {
      if (blockId.length === 0 || blockId.length > LIMITS.blockId)
        say(at, `block_id is ${blockId.length} characters; 1 to ${LIMITS.blockId} allowed`);
      if (blockIds.has(blockId)) say(at, `block_id "${blockId}" is used twice`);
      blockIds.add(blockId);
    }
    const actionIds = new Set<string>();
    const element = (value: unknown, where: string) => checkElement(value, where, actionIds, say);

    switch (type) {
      case 'section': {
        const text = block.text;
        const fields = arr(block.fields);
        if (text === undefined && fields === undefined) say(at, 'needs text or fields');
        if (text !== undefined) checkText(text, `${at} text`, LIMITS.sectionText, say);
        if (fields) {
          if (fields.length > LIMITS.sectionFields)
            say(at, `${fields.length} fields; at most ${LIMITS.sectionFields}`);
          fields.forEach((f, j) => {
            checkText(f, `${at} fields[${j}]`, LIMITS.sectionFieldText, say);
          });
        }
        if (block.accessory !== undefined) element(block.accessory, `${at} accessory`);
        break;
      }
      case 'header':
        checkText(block.text, `${at} text`, LIMITS.headerText, say, { plainOnly: true });
        break;
      case 'context': {
        const elements = arr(block.elements) ?? [];
        if (elements.length === 0 || elements.length > LIMITS.contextElements)
          say(at, `${elements.length} elements; 1 to ${LIMITS.contextElements} allowed`);
        elements.forEach((e, j) => {
          if (isObject(e) && e.type === 'image') {
            checkLength(e.alt_text, `${at} elements[${j}] alt_text`, LIMITS.imageAltText, say);
          } else checkText(e, `${at} elements[${j}]`, LIMITS.contextText, say);
        });
        break;
      }
      case 'actions': {
        const elements = arr(block.elements) ?? [];
        if (elements.length === 0 || elements.length > LIMITS.actionsElements)
          say(at, `${elements.length} elements; 1 to ${LIMITS.actionsElements} allowed`);
        elements.forEach((e, j) => {
          element(e, `${at} elements[${j}]`);
        });
        break;
      }
      case 'input': {
        hasInput = true;
        checkText(block.label, `${at} label`, LIMITS.inputLabel, say, { plainOnly: true });
        if (block.hint !== undefined)
          checkText(block.hint, `${at} hint`, LIMITS.inputHint, say, { plainOnly: true });
        if (block.element === undefined) say(at, 'needs an element');
        else element(block.element, `${at} element`);
        break;
      }
      case 'markdown':
        if (surface !== 'message') say(at, 'markdown blocks are for messages only');
        markdownTotal += str(block.text)?.length ?? 0;
        break;
      case 'image':
        checkLength(block.alt_text, `${at} alt_text`, LIMITS.imageAltText, say);
        break;
      default:
        break;
    }
  });
  if (markdownTotal > LIMITS.markdownBlockTotal)
    say(surface, `markdown blocks hold ${markdownTotal} characters; at most 12000 in all`);

  if (surface === 'modal') {
    if (!payload.title) say('modal', 'needs a title');
    else checkText(payload.title, 'modal title', LIMITS.modalTitle, say, { plainOnly: true });
    if (payload.submit)
      checkText(payload.submit, 'modal submit', LIMITS.modalButton, say, { plainOnly: true });
    else if (hasInput) say('modal', 'has input blocks, so it needs a submit button');
    if (payload.close)
      checkText(payload.close, 'modal close', LIMITS.modalButton, say, { plainOnly: true });
  } else if (surface === 'home' && (payload.title || payload.submit || payload.close)) {
    say('home', 'a Home tab has no title, submit or close');
  }
  if (payload.callback_id !== undefined)
    checkLength(payload.callback_id, 'callback_id', LIMITS.callbackId, say);
  if (payload.private_metadata !== undefined)
    checkLength(payload.private_metadata, 'private_metadata', LIMITS.privateMetadata, say, 0);
  return problems;
}

type Say = (where: string, what: string) => void;

function checkLength(value: unknown, where: string, max: number, say: Say, min = 1): void {
  const s = str(value);
  if (s === undefined) {
    say(where, 'missing');
    return;
  }
  if (s.length < min || s.length > max)
    say(where, `is ${s.length} characters; ${min} to ${max} allowed`);
}

function checkText(
  value: unknown,
  where: string,
  max: number,
  say: Say,
  { plainOnly = false }: { plainOnly?: boolean } = {},
): void {
  if (!isObject(value)) {
    say(where, 'missing text object');
    return;
  }
  if (value.type !== 'plain_text' && (plainOnly || value.type !== 'mrkdwn'))
    say(where, `must be ${plainOnly ? 'plain_text' : 'plain_text or mrkdwn'}`);
  checkLength(value.text, where, max, say);
}

function checkElement(value: unknown, where: string, actionIds: Set<string>, say: Say): void {
  if (!isObject(value)) {
    say(where, 'not an element');
    return;
  }
  const type = str(value.type) ?? '?';
  const at = `${where} (${type})`;
  const actionId = str(value.action_id);
  if (actionId !== undefined) {
    if (actionId.length === 0 || actionId.length > LIMITS.actionId)
      say(at, `action_id is ${actionId.length} characters; 1 to ${LIMITS.actionId} allowed`);
    if (actionIds.has(actionId)) say(at, `action_id "${actionId}" is used twice in this block`);
    actionIds.add(actionId);
  }
  if (value.placeholder !== undefined)
    checkText(value.placeholder, `${at} placeholder`, LIMITS.placeholder, say, {
      plainOnly: true,
    });
  if (value.confirm !== undefined) checkConfirm(value.confirm, `${at} confirm`, say);

  switch (type) {
    case 'button':
      checkText(value.text, `${at} text`, LIMITS.buttonText, say, { plainOnly: true });
      if (value.value !== undefined)
        checkLength(value.value, `${at} value`, LIMITS.buttonValue, say);
      if (value.url !== undefined) checkLength(value.url, `${at} url`, LIMITS.buttonUrl, say);
      if (value.accessibility_label !== undefined)
        checkLength(
          value.accessibility_label,
          `${at} accessibility_label`,
          LIMITS.accessibilityLabel,
          say,
        );
      if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger')
        say(at, `style must be primary or danger`);
      break;
    case 'static_select':
    case 'multi_static_select': {
      const options = arr(value.options);
      const groups = arr(value.option_groups);
      if (options && groups) say(at, 'has both options and option_groups');
      if (!options && !groups) say(at, 'needs options or option_groups');
      const all: unknown[] = [];
      if (options) {
        checkCount(options, `${at} options`, 1, LIMITS.selectOptions, say);
        all.push(...options);
      }
      if (groups) {
        checkCount(groups, `${at} option_groups`, 1, LIMITS.optionGroups, say);
        groups.forEach((g, j) => {
          const group = isObject(g) ? g : {};
          checkText(group.label, `${at} option_groups[${j}] label`, LIMITS.optionGroupLabel, say, {
            plainOnly: true,
          });
          const inGroup = arr(group.options) ?? [];
          checkCount(inGroup, `${at} option_groups[${j}] options`, 1, LIMITS.selectOptions, say);
          all.push(...inGroup);
        });
      }
      all.forEach((o, j) => {
        checkOption(o, `${at} option ${j}`, say, true);
      });
      checkInitialOptions(value, all, at, say);
      break;
    }
    case 'external_select':
    case 'multi_external_select':
      if (value.initial_option !== undefined)
        checkOption(value.initial_option, `${at} initial_option`, say, true);
      if (
        value.min_query_length !== undefined &&
        !(Number.isInteger(value.min_query_length) && (value.min_query_length as number) >= 0)
      )
        say(at, 'min_query_length must be a whole number ≥ 0');
      break;
    case 'radio_buttons':
    case 'checkboxes': {
      const options = arr(value.options) ?? [];
      checkCount(options, `${at} options`, 1, LIMITS.choiceOptions, say);
      options.forEach((o, j) => {
        checkOption(o, `${at} options[${j}]`, say, false);
      });
      checkInitialOptions(value, options, at, say);
      break;
    }
    case 'overflow': {
      const options = arr(value.options) ?? [];
      checkCount(options, `${at} options`, 1, LIMITS.overflowOptions, say);
      options.forEach((o, j) => {
        checkOption(o, `${at} options[${j}]`, say, true);
      });
      break;
    }
    case 'plain_text_input': {
      const max = value.max_length === undefined ? LIMITS.plainTextInput : value.max_length;
      if (typeof max !== 'number' || max < 1 || max > LIMITS.plainTextInput)
        say(at, `max_length must be 1 to ${LIMITS.plainTextInput}`);
      if (
        value.min_length !== undefined &&
        (typeof value.min_length !== 'number' ||
          value.min_length < 0 ||
          value.min_length > LIMITS.plainTextInput)
      )
        say(at, `min_length must be 0 to ${LIMITS.plainTextInput}`);
      const initial = str(value.initial_value);
      if (initial !== undefined && typeof max === 'number' && initial.length > max)
        say(at, `initial_value is ${initial.length} characters; max_length is ${max}`);
      break;
    }
    case 'number_input':
      if (typeof value.is_decimal_allowed !== 'boolean') say(at, 'needs is_decimal_allowed');
      for (const key of ['initial_value', 'min_value', 'max_value'] as const)
        if (value[key] !== undefined && typeof value[key] !== 'string')
          say(at, `${key} must be a string`);
      break;
    case 'datetimepicker':
      if (
        value.initial_date_time !== undefined &&
        !(
          Number.isInteger(value.initial_date_time) && String(value.initial_date_time).length === 10
        )
      )
        say(at, 'initial_date_time must be Unix seconds (10 digits)');
      break;
    case 'datepicker':
      if (
        value.initial_date !== undefined &&
        !/^\d{4}-\d{2}-\d{2}$/.test(str(value.initial_date) ?? '')
      )
        say(at, 'initial_date must be YYYY-MM-DD');
      break;
    default:
      break;
  }
}

function checkCount(list: unknown[], where: string, min: number, max: number, say: Say): void {
  if (list.length < min || list.length > max)
    say(where, `${list.length} items; ${min} to ${max} allowed`);
}

function checkOption(value: unknown, where: string, say: Say, plainOnly: boolean): void {
  if (!isObject(value)) {
    say(where, 'not an option');
    return;
  }
  checkText(value.text, `${where} text`, LIMITS.optionText, say, { plainOnly });
  if (value.value !== undefined)
    checkLength(value.value, `${where} value`, LIMITS.optionValue, say);
  if (value.description !== undefined)
    checkText(value.description, `${where} description`, LIMITS.optionDescription, say, {
      plainOnly: true,
    });
}

/** Slack rejects an initial option that is not exactly one of the options. */
function checkInitialOptions(value: Json, options: unknown[], at: string, say: Say): void {
  const initial = [
    ...(value.initial_option !== undefined ? [value.initial_option] : []),
    ...(arr(value.initial_options) ?? []),
  ];
  const known = new Set(options.map((o) => JSON.stringify(o)));
  for (const option of initial)
    if (!known.has(JSON.stringify(option))) say(at, 'initial option is not one of the options');
}

function checkConfirm(value: unknown, where: string, say: Say): void {
  if (!isObject(value)) {
    say(where, 'not a confirm dialog');
    return;
  }
  if (value.title !== undefined)
    checkText(value.title, `${where} title`, LIMITS.confirmTitle, say, { plainOnly: true });
  checkText(value.text, `${where} text`, LIMITS.confirmText, say);
  if (value.confirm !== undefined)
    checkText(value.confirm, `${where} confirm`, LIMITS.confirmButton, say, { plainOnly: true });
  if (value.deny !== undefined)
    checkText(value.deny, `${where} deny`, LIMITS.confirmButton, say, { plainOnly: true });
}
