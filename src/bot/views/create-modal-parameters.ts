import type { InputBlock, InputBlockElement, KnownBlock } from '@slack/web-api';
import { MAX_PARAMETER_VALUE_LENGTH, type PipelineParameter } from '../../scheduling/pipeline.js';
import { ids } from '../ids.js';
import type { CreateModalState } from './create-modal.js';
import { input, placeholder } from './create-modal-inputs.js';
import { clip, code, context, divider, esc, option, section, sections } from './kit.js';
import { LIMITS } from './limits.js';

/**
 * Parameters that get an input each. The other blocks of the form number at most 15 (a cron form
 * with a preview and warnings), so 80 keeps a modal under Slack's 100 blocks with room to spare;
 * past it (or with a name too long to be an action_id) one multiline input takes `Name=value`
 * lines.
 */
export const MAX_PARAMETER_INPUTS = 80;

const c = ids.create;

/** The chosen pipeline's parameters: an input each, or one `Name=value` text for many. */
export function parameterBlocks(state: CreateModalState): KnownBlock[] {
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
