import type { InputBlock, KnownBlock } from '@slack/web-api';
import { MAX_FLEXIBLE_WINDOW_MINUTES } from '../../scheduling/trigger-rules.js';
import { ids } from '../ids.js';
import type { CreateModalState, TriggerType } from './create-modal.js';
import { input, placeholder, timeZoneOption } from './create-modal-inputs.js';
import { clip } from './kit.js';
import { LIMITS } from './limits.js';

const c = ids.create;

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

/** The section saying when the trigger fires: a pattern, or an expression with its zone and bounds. */
export function whenInputs(state: CreateModalState): KnownBlock[] {
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
        max_value: String(MAX_FLEXIBLE_WINDOW_MINUTES),
        placeholder: placeholder('off: run on time'),
        ...(v.window && /^\d+$/.test(v.window) ? { initial_value: v.window } : {}),
      },
      {
        optional: true,
        hint: `Lets Scheduler start up to this many minutes late to spread load (1–${MAX_FLEXIBLE_WINDOW_MINUTES}). Empty: on time.`,
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
