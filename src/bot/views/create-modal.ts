import { createHash } from 'node:crypto';
import type {
  InputBlock,
  InputBlockElement,
  KnownBlock,
  ModalView,
  PlainTextOption,
} from '@slack/web-api';
import type { SchedulePreview } from '../../scheduling/expression/index.js';
import { formatInstant } from '../../scheduling/expression/index.js';
import { MAX_PARAMETER_VALUE_LENGTH, type PipelineParameter } from '../../scheduling/pipeline.js';
import { ids } from '../ids.js';
import {
  clip,
  clipStart,
  code,
  context,
  divider,
  esc,
  inZone,
  option,
  plain,
  section,
  sections,
} from './kit.js';
import { LIMITS } from './limits.js';

export type TriggerType = 'at' | 'rate' | 'cron' | 'event';

export interface CreateModalState {
  triggerType: TriggerType;
  /** The chosen pipeline, loaded lazily once picked. */
  pipeline?: { name: string; parameters: PipelineParameter[] };
  /** alias → ARN the policy allows for that pipeline (a static_select of aliases; no free text). */
  roleChoices: Record<string, string>;
  userTimeZone?: string;
  values: Partial<{
    expression: string;
    timeZone: string;
    start: string;
    end: string;
    window: string;
    name: string;
    eventPattern: string;
    roleAlias: string;
    parameters: Record<string, string>;
  }>;
  preview?:
    | { ok: true; preview: SchedulePreview; userZoneRuns?: Date[] }
    | { ok: false; message: string };
  /** The first view, opened at once with the trigger_id before data loads. */
  loading?: boolean;
}

/**
 * Parameters that get an input each. The other blocks of the form number at most 15 (a cron form
 * with a preview and warnings), so 80 keeps a modal under Slack's 100 blocks with room to spare;
 * past it (or with a name too long to be an action_id) one multiline input takes `Name=value`
 * lines.
 */
export const MAX_PARAMETER_INPUTS = 80;
/** EventBridge Scheduler's flexible window: 1 to 1440 minutes. */
const MAX_WINDOW_MINUTES = 1440;
/** TRIGGER_NAME in scheduling/triggers.ts. */
const MAX_TRIGGER_NAME = 64;

const c = ids.create;

const typeChoices: Array<{ type: TriggerType; text: string; description: string }> = [
  { type: 'cron', text: 'On a calendar (cron)', description: 'e.g. weekdays at 08:00' },
  { type: 'rate', text: 'Every few minutes, hours or days', description: 'e.g. every 6 hours' },
  { type: 'at', text: 'Once, at a date and time', description: 'e.g. 24 Dec at 09:00' },
  { type: 'event', text: 'When an event arrives', description: 'an EventBridge pattern' },
];

/**
 * The create modal as a pure function of its state. Every input keeps the same block_id and
 * action_id across views.update, so Slack preserves what was typed; the inputs in ids.create.reloads
 * dispatch block_actions so the listener can load the pipeline or refresh the preview.
 */
export function createModal(state: CreateModalState): ModalView {
  const base = {
    type: 'modal' as const,
    callback_id: ids.views.create,
    title: plain('New pipeline trigger', LIMITS.modalTitle),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: createModalMetadata(state),
  };
  if (state.loading)
    return {
      ...base,
      blocks: [section(':hourglass_flowing_sand: Loading the form…')],
    };
  return {
    ...base,
    submit: plain(
      state.triggerType === 'event' ? 'Create rule' : 'Create schedule',
      LIMITS.modalButton,
    ),
    blocks: [
      typeInput(state.triggerType),
      pipelineInput(state.pipeline?.name),
      ...whenInputs(state),
      ...roleBlocks(state),
      nameInput(state.values.name),
      ...parameterBlocks(state),
      divider(),
      ...previewBlocks(state),
    ],
  };
}

/** What the create modal keeps in private_metadata: small, and no secrets (Slack echoes it). */
export function createModalMetadata(state: Pick<CreateModalState, 'pipeline' | 'triggerType'>) {
  return JSON.stringify({
    t: state.triggerType,
    ...(state.pipeline ? { p: state.pipeline.name } : {}),
  });
}

/** The inverse of createModalMetadata; unknown input gives a cron form with no pipeline. */
export function readCreateModalMetadata(metadata: string | undefined): {
  triggerType: TriggerType;
  pipeline?: string;
} {
  try {
    const parsed = JSON.parse(metadata ?? '') as { t?: unknown; p?: unknown };
    return {
      triggerType: isTriggerType(parsed.t) ? parsed.t : 'cron',
      ...(typeof parsed.p === 'string' ? { pipeline: parsed.p } : {}),
    };
  } catch {
    return { triggerType: 'cron' };
  }
}

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

/**
 * The form's values from `view.state.values` (view_submission or block_actions): the trigger
 * type, the pipeline option's value (see pipelineOptionValue) and the inputs, empty ones left
 * out. For 'at', a picked date wins over typed text and becomes `at(…)` in the chosen zone.
 */
export function readCreateModal(values: Record<string, Record<string, unknown>>): {
  triggerType: TriggerType;
  pipeline?: string;
  values: CreateModalState['values'];
} {
  const read = (id: { block: string; action: string }) => values[id.block]?.[id.action];
  const type = selected(read(c.triggerType));
  const triggerType: TriggerType = isTriggerType(type) ? type : 'cron';
  const pipeline = selected(read(c.pipeline));
  const out: CreateModalState['values'] = {};
  const timeZone = selected(read(c.timeZone));
  if (timeZone) out.timeZone = timeZone;
  const picked = dateTime(read(c.atPicker));
  const expression = text(read(c.expression));
  if (triggerType === 'at' && picked) out.expression = `at(${wallIso(picked, timeZone ?? 'UTC')})`;
  else if (expression) out.expression = expression;
  const pattern = text(read(c.eventPattern));
  if (pattern) out.eventPattern = pattern;
  const start = dateTime(read(c.start));
  if (start) out.start = formatInstant(start);
  const end = dateTime(read(c.end));
  if (end) out.end = formatInstant(end);
  const window = text(read(c.window));
  if (window) out.window = window;
  const name = text(read(c.name));
  if (name) out.name = name;
  const role = selected(read(c.role));
  if (role) out.roleAlias = role;

  const parameters: Record<string, string> = {};
  for (const line of (text(read(c.parameters)) ?? '').split('\n')) {
    const at = line.indexOf('=');
    if (line.trim().startsWith('#') || at <= 0) continue;
    const key = line.slice(0, at).trim();
    const value = line.slice(at + 1).trim();
    if (key && value) parameters[key] = value;
  }
  for (const [blockId, inputs] of Object.entries(values)) {
    if (!blockId.startsWith(c.parameterBlockPrefix)) continue;
    for (const [actionId, input] of Object.entries(inputs)) {
      const value = text(input) ?? selected(input);
      if (value) parameters[actionId] = value;
    }
  }
  if (Object.keys(parameters).length) out.parameters = parameters;
  return { triggerType, ...(pipeline ? { pipeline } : {}), values: out };
}

function isTriggerType(v: unknown): v is TriggerType {
  return v === 'at' || v === 'rate' || v === 'cron' || v === 'event';
}

function text(input: unknown): string | undefined {
  const v = (input as { value?: unknown } | undefined)?.value;
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

function selected(input: unknown): string | undefined {
  const v = (input as { selected_option?: { value?: unknown } | null } | undefined)?.selected_option
    ?.value;
  return typeof v === 'string' && v ? v : undefined;
}

function dateTime(input: unknown): Date | undefined {
  const v = (input as { selected_date_time?: unknown } | undefined)?.selected_date_time;
  return typeof v === 'number' && Number.isFinite(v) ? new Date(v * 1000) : undefined;
}

const wallFormatters = new Map<string, Intl.DateTimeFormat>();

/** `2026-12-24T09:00:00`: the wall time of an instant in a zone, as at(…) takes it. */
function wallIso(instant: Date, timeZone: string): string {
  let f = wallFormatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      return wallIso(instant, 'UTC');
    }
    wallFormatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(instant)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

function input(
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

const placeholder = (text: string) => plain(text, LIMITS.placeholder);

function typeInput(type: TriggerType): InputBlock {
  const options = typeChoices.map((t) => option(t.text, t.type, t.description));
  const initial = options[typeChoices.findIndex((t) => t.type === type)];
  return input(
    c.triggerType,
    'What starts the pipeline?',
    {
      type: 'radio_buttons',
      action_id: c.triggerType.action,
      options,
      ...(initial ? { initial_option: initial } : {}),
    },
    { dispatch: true },
  );
}

function pipelineInput(name: string | undefined): InputBlock {
  return input(
    c.pipeline,
    'Pipeline',
    {
      type: 'external_select',
      action_id: c.pipeline.action,
      // Pipeline names can be short (`etl`): search from the first character.
      min_query_length: 1,
      placeholder: placeholder('Type to search the pipelines'),
      ...(name ? { initial_option: pipelineOption(name) } : {}),
    },
    { dispatch: true },
  );
}

const expressionHints: Record<
  Exclude<TriggerType, 'event'>,
  { placeholder: string; hint: string }
> = {
  cron: {
    placeholder: 'cron(0 8 ? * MON-FRI *)',
    hint: 'cron(minutes hours day-of-month month day-of-week year), day-of-week 1 = Sunday, one of the two day fields ?. e.g. cron(0 8 ? * MON-FRI *) weekdays at 08:00; cron(30 2 1 * ? *) 02:30 on the 1st; cron(0 */6 * * ? *) every 6 hours. Press Enter to preview.',
  },
  rate: {
    placeholder: 'rate(6 hours)',
    hint: 'rate(5 minutes), rate(1 hour), rate(2 days): counted from the start, or from when it is created. Press Enter to preview.',
  },
  at: {
    placeholder: 'at(2026-12-24T09:00:00)',
    hint: 'A local date-time, read in the time zone below: at(2026-12-24T09:00:00). Press Enter to preview.',
  },
};

function whenInputs(state: CreateModalState): KnownBlock[] {
  const v = state.values;
  const type = state.triggerType;
  if (type === 'event')
    return [
      input(
        c.eventPattern,
        'Event pattern (JSON)',
        {
          type: 'plain_text_input',
          action_id: c.eventPattern.action,
          multiline: true,
          max_length: LIMITS.plainTextInput,
          placeholder: placeholder('{"source":["aws.s3"],"detail-type":["Object Created"]}'),
          ...(v.eventPattern ? { initial_value: clip(v.eventPattern, LIMITS.plainTextInput) } : {}),
        },
        {
          hint: 'An EventBridge event pattern. Parameter values may be JSON paths into the event, such as $.detail.object.key. Rules run in UTC.',
        },
      ),
    ];
  const hints = expressionHints[type];
  const blocks: KnownBlock[] = [];
  if (type === 'at')
    blocks.push(
      input(
        c.atPicker,
        'When',
        { type: 'datetimepicker', action_id: c.atPicker.action },
        {
          optional: true,
          dispatch: true,
          hint: 'Pick a date and time, or type at(…) below. When both are set, the picked one wins.',
        },
      ),
    );
  blocks.push(
    input(
      c.expression,
      type === 'at' ? '…or the expression' : 'Expression',
      {
        type: 'plain_text_input',
        action_id: c.expression.action,
        placeholder: placeholder(hints.placeholder),
        dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] },
        max_length: 256,
        ...(v.expression ? { initial_value: clip(v.expression, 256) } : {}),
      },
      { hint: hints.hint, optional: type === 'at', dispatch: true },
    ),
  );
  const zone = [v.timeZone, state.userTimeZone, 'UTC'].find(
    (z): z is string => !!z && z.length <= LIMITS.optionValue,
  );
  blocks.push(
    input(
      c.timeZone,
      'Time zone',
      {
        type: 'external_select',
        action_id: c.timeZone.action,
        min_query_length: 1,
        placeholder: placeholder('Type a city or zone, e.g. Berlin'),
        ...(zone ? { initial_option: timeZoneOption(zone) } : {}),
      },
      {
        dispatch: true,
        hint:
          type === 'rate'
            ? 'rate() runs at fixed intervals whatever the zone; it matters for start and end.'
            : 'The expression is read in this zone, daylight saving included.',
      },
    ),
  );
  if (type !== 'at') {
    blocks.push(
      dateTimeInput(c.start, 'Start', v.start, 'No runs before this.'),
      dateTimeInput(c.end, 'End', v.end, 'No runs after this.'),
    );
  }
  blocks.push(
    input(
      c.window,
      'Flexible window (minutes)',
      {
        type: 'number_input',
        action_id: c.window.action,
        is_decimal_allowed: false,
        min_value: '1',
        max_value: String(MAX_WINDOW_MINUTES),
        placeholder: placeholder('off: run on time'),
        ...(v.window && /^\d+$/.test(v.window) ? { initial_value: v.window } : {}),
      },
      {
        optional: true,
        hint: `Lets Scheduler start up to this many minutes late to spread load (1–${MAX_WINDOW_MINUTES}). Empty: on time.`,
      },
    ),
  );
  return blocks;
}

function dateTimeInput(
  id: { block: string; action: string },
  label: string,
  value: string | undefined,
  hint: string,
): InputBlock {
  const seconds = value ? Math.floor(Date.parse(value) / 1000) : Number.NaN;
  // datetimepicker takes 10-digit Unix seconds: 2001-09-09 to 2286.
  const valid = Number.isInteger(seconds) && String(seconds).length === 10;
  return input(
    id,
    label,
    {
      type: 'datetimepicker',
      action_id: id.action,
      ...(valid ? { initial_date_time: seconds } : {}),
    },
    { optional: true, dispatch: true, hint },
  );
}

function roleBlocks(state: CreateModalState): KnownBlock[] {
  if (!state.pipeline)
    return [context('Choose a pipeline to see the execution roles you may use.')];
  const aliases = Object.keys(state.roleChoices).filter((a) => a.length <= LIMITS.optionValue);
  if (aliases.length === 0)
    return [
      section(
        `:no_entry: No execution role is allowed for *${esc(clip(state.pipeline.name, 100))}* here: ask an admin to add one to the policy.`,
      ),
    ];
  const options = aliases
    .slice(0, LIMITS.selectOptions)
    .map((alias) =>
      option(alias, alias, clipStart(state.roleChoices[alias] ?? '', LIMITS.optionDescription)),
    );
  const wanted = state.values.roleAlias ?? (options.length === 1 ? aliases[0] : undefined);
  const initial = options.find((o) => o.value === wanted);
  return [
    input(
      c.role,
      'Execution role',
      {
        type: 'static_select',
        action_id: c.role.action,
        options,
        placeholder: placeholder('Pick a role'),
        ...(initial ? { initial_option: initial } : {}),
      },
      {
        hint: `The IAM role Scheduler assumes to start the pipeline; the policy allows ${aliases.length === 1 ? 'this one' : 'these'} for this pipeline.`,
      },
    ),
  ];
}

function nameInput(name: string | undefined): InputBlock {
  return input(
    c.name,
    'Name',
    {
      type: 'plain_text_input',
      action_id: c.name.action,
      max_length: MAX_TRIGGER_NAME,
      placeholder: placeholder('e.g. churn-weekdays; empty: made from the pipeline'),
      ...(name ? { initial_value: clip(name, MAX_TRIGGER_NAME) } : {}),
    },
    { optional: true, hint: 'Letters, digits, - _ and . (at most 64).' },
  );
}

function parameterBlocks(state: CreateModalState): KnownBlock[] {
  const pipeline = state.pipeline;
  if (!pipeline) return [];
  const params = pipeline.parameters;
  const entered = state.values.parameters ?? {};
  const shownName = esc(clip(pipeline.name, 200));
  if (params.length === 0) return [divider(), context(`*${shownName}* declares no parameters.`)];
  const tooLong = params.some((p) => p.name.length > LIMITS.actionId);
  if (params.length <= MAX_PARAMETER_INPUTS && !tooLong)
    return [
      divider(),
      section(`*Parameters of ${shownName}*\nLeave one empty to use its default.`),
      ...params.map((p, i) => parameterInput(p, i, entered[p.name])),
    ];

  // Too many for an input each (a modal holds 100 blocks), or a name that can't be an action_id.
  const why =
    params.length > MAX_PARAMETER_INPUTS
      ? `declares ${params.length} parameters, too many for a field each`
      : 'has a parameter name too long for a field of its own';
  const lines = params.map(
    (p) =>
      `${code(clip(p.name, 300))} ${esc(p.type)}${p.defaultValue !== undefined ? `, default ${code(clip(p.defaultValue, 100))}` : ', *required*'}`,
  );
  const initial: string[] = [];
  let size = 0;
  const required = params.filter((p) => p.defaultValue === undefined && !(p.name in entered));
  for (const line of [
    ...Object.entries(entered).map(([k, v]) => `${k}=${v}`),
    ...required.map((p) => `${p.name}=`),
  ]) {
    if (size + line.length + 1 > LIMITS.plainTextInput) break;
    initial.push(line);
    size += line.length + 1;
  }
  return [
    divider(),
    section(
      `*Parameters of ${shownName}*\nIt ${why}: write the ones to set below as ${code('Name=value')} lines, one per line. The others keep their defaults.`,
    ),
    ...sections(lines, 2),
    input(
      c.parameters,
      'Parameters (Name=value, one per line)',
      {
        type: 'plain_text_input',
        action_id: c.parameters.action,
        multiline: true,
        max_length: LIMITS.plainTextInput,
        placeholder: placeholder('InstanceType=ml.m5.xlarge'),
        ...(initial.length ? { initial_value: initial.join('\n') } : {}),
      },
      { optional: required.length === 0 },
    ),
  ];
}

function parameterInput(
  p: PipelineParameter,
  index: number,
  value: string | undefined,
): InputBlock {
  const id = { block: `${c.parameterBlockPrefix}${index}`, action: p.name };
  const hasDefault = p.defaultValue !== undefined;
  const hint = placeholder(hasDefault ? `default: ${p.defaultValue}` : 'required');
  const choices =
    p.type === 'Boolean'
      ? ['true', 'false']
      : p.enumValues?.length &&
          p.enumValues.length <= LIMITS.selectOptions &&
          p.enumValues.every((e) => e.length > 0 && e.length <= LIMITS.optionValue)
        ? p.enumValues
        : undefined;
  let element: InputBlockElement;
  if (choices) {
    const options = choices.map((v) => option(v, v));
    const initial = options.find((o) => o.value === value);
    element = {
      type: 'static_select',
      action_id: id.action,
      options,
      placeholder: hint,
      ...(initial ? { initial_option: initial } : {}),
    };
  } else if (p.type === 'Integer' || p.type === 'Float') {
    const numeric = p.type === 'Integer' ? /^[+-]?\d+$/ : /^[+-]?\d+(\.\d+)?$/;
    element = {
      type: 'number_input',
      action_id: id.action,
      is_decimal_allowed: p.type === 'Float',
      placeholder: hint,
      ...(value && numeric.test(value) ? { initial_value: value } : {}),
    };
  } else {
    element = {
      type: 'plain_text_input',
      action_id: id.action,
      max_length: MAX_PARAMETER_VALUE_LENGTH,
      placeholder: hint,
      ...(value ? { initial_value: clip(value, MAX_PARAMETER_VALUE_LENGTH) } : {}),
    };
  }
  return input(id, `${p.name} (${p.type})`, element, {
    optional: hasDefault,
    ...(p.description ? { hint: p.description } : {}),
  });
}

function previewBlocks(state: CreateModalState): KnownBlock[] {
  const preview = state.preview;
  if (!preview)
    return [
      context(
        state.triggerType === 'event'
          ? 'Starts the pipeline each time a matching event arrives.'
          : 'Type an expression and press Enter to see the next runs here.',
      ),
    ];
  if (!preview.ok) return [section(`:x: ${esc(preview.message)}`)];
  const p = preview.preview;
  const userZone = state.userTimeZone;
  const runs = (dates: Date[], zone: string) =>
    dates.length ? dates.map((d) => `• ${inZone(d, zone)}`).join('\n') : 'none';
  const fields = [
    plainField(`*In ${esc(p.timeZone)}*\n${runs(p.occurrences, p.timeZone)}`),
    ...(userZone && userZone !== p.timeZone
      ? [
          plainField(
            `*Your time (${esc(userZone)})*\n${runs(preview.userZoneRuns ?? p.occurrences, userZone)}`,
          ),
        ]
      : []),
  ];
  return [
    section(`*${esc(p.description)}*\n${code(p.expression.text)} — next runs:`),
    { type: 'section', fields },
    ...(p.warnings.length
      ? [
          context(
            ...p.warnings
              .slice(0, LIMITS.contextElements)
              .map((w) => `:warning: ${esc(w.message)}`),
          ),
        ]
      : []),
  ];
}

const plainField = (text: string) => ({
  type: 'mrkdwn' as const,
  text: clip(text, LIMITS.sectionFieldText),
});
