import type { InputBlock, KnownBlock, ModalView } from '@slack/web-api';
import type { SchedulePreview, ScheduleWarning } from '../../scheduling/expression/index.js';
import type { PipelineParameter } from '../../scheduling/pipeline.js';
import { MAX_TRIGGER_NAME_LENGTH } from '../../scheduling/trigger-rules.js';
import { ids } from '../ids.js';
import { input, pipelineOption, placeholder } from './create-modal-inputs.js';
import { parameterBlocks } from './create-modal-parameters.js';
import { whenInputs } from './create-modal-when.js';
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
  /** For a rule (which has no preview): the role check's warnings. */
  ruleWarnings?: ScheduleWarning[];
  /** The first view, opened at once with the trigger_id before data loads. */
  loading?: boolean;
  /**
   * Editing a trigger (its Edit button): the form comes prefilled, the pipeline and the name are
   * fixed, and submitting asks for an update of what was changed.
   */
  edit?: { ref: string; roleArn: string };
  /** Why the form cannot be shown (the trigger to edit is gone, or not this person's to see). */
  unavailable?: string;
}

/** The role option that keeps the trigger's role when the policy names it by no alias. */
export const CURRENT_ROLE = '~current';

/** TRIGGER_NAME in scheduling/triggers.ts. */

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
    title: plain(state.edit ? 'Edit trigger' : 'New pipeline trigger', LIMITS.modalTitle),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: createModalMetadata(state),
  };
  if (state.loading)
    return {
      ...base,
      blocks: [section(':hourglass_flowing_sand: Loading the form…')],
    };
  if (state.unavailable)
    return { ...base, blocks: [section(`:warning: ${esc(clip(state.unavailable, 2500))}`)] };
  if (state.edit)
    return {
      ...base,
      submit: plain('Save changes', LIMITS.modalButton),
      blocks: [
        section(
          `Editing *${esc(clip(state.edit.ref, 200))}*, which starts *${esc(clip(state.pipeline?.name ?? '', 200))}*. What you change is shown as before → after; the rest stays as it is.`,
        ),
        ...(state.triggerType === 'event' ? [] : [typeInput(state.triggerType, false)]),
        ...whenInputs(state),
        ...roleBlocks(state),
        ...parameterBlocks(state),
        divider(),
        ...previewBlocks(state),
      ],
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
export function createModalMetadata(
  state: Pick<CreateModalState, 'pipeline' | 'triggerType' | 'edit'>,
) {
  return JSON.stringify({
    t: state.triggerType,
    ...(state.pipeline ? { p: state.pipeline.name } : {}),
    ...(state.edit ? { e: state.edit.ref } : {}),
  });
}

/** What starts the pipeline; a schedule being edited stays a schedule (a rule is another kind). */
function typeInput(type: TriggerType, withEvent = true): InputBlock {
  const options = typeChoices
    .filter((t) => withEvent || t.type !== 'event')
    .map((t) => option(t.text, t.type, t.description));
  const initial = options.find((o) => o.value === type);
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

function roleBlocks(state: CreateModalState): KnownBlock[] {
  if (!state.pipeline)
    return [context('Choose a pipeline to see the execution roles you may use.')];
  const aliases = Object.keys(state.roleChoices).filter((a) => a.length <= LIMITS.optionValue);
  if (aliases.length === 0 && !state.edit)
    return [
      section(
        `:no_entry: No execution role is allowed for *${esc(clip(state.pipeline.name, 100))}* here: ask an admin to add one to the policy.`,
      ),
    ];
  const current = state.edit?.roleArn;
  const keepCurrent =
    current !== undefined && !Object.values(state.roleChoices).includes(current)
      ? [
          option(
            'Keep its current role',
            CURRENT_ROLE,
            clipStart(current, LIMITS.optionDescription),
          ),
        ]
      : [];
  const options = [
    ...keepCurrent,
    ...aliases
      .slice(0, LIMITS.selectOptions - keepCurrent.length)
      .map((alias) =>
        option(alias, alias, clipStart(state.roleChoices[alias] ?? '', LIMITS.optionDescription)),
      ),
  ];
  const wanted = state.values.roleAlias ?? (options.length === 1 ? options[0]?.value : undefined);
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
      max_length: MAX_TRIGGER_NAME_LENGTH,
      placeholder: placeholder('e.g. churn-weekdays; empty: made from the pipeline'),
      ...(name ? { initial_value: clip(name, MAX_TRIGGER_NAME_LENGTH) } : {}),
    },
    { optional: true, hint: `Letters, digits, - _ and . (at most ${MAX_TRIGGER_NAME_LENGTH}).` },
  );
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
      ...warningContext(state.triggerType === 'event' ? (state.ruleWarnings ?? []) : []),
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
    ...warningContext(p.warnings),
  ];
}

function warningContext(warnings: ScheduleWarning[]): KnownBlock[] {
  if (warnings.length === 0) return [];
  return [
    context(...warnings.slice(0, LIMITS.contextElements).map((w) => `:warning: ${esc(w.message)}`)),
  ];
}

const plainField = (text: string) => ({
  type: 'mrkdwn' as const,
  text: clip(text, LIMITS.sectionFieldText),
});
