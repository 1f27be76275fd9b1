import type { InputBlock, ModalView } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { ids } from '../../../src/bot/ids.js';
import {
  type CreateModalState,
  createModal,
  type TriggerType,
} from '../../../src/bot/views/create-modal.js';
import { pipelineOptionValue } from '../../../src/bot/views/create-modal-inputs.js';
import { MAX_PARAMETER_INPUTS } from '../../../src/bot/views/create-modal-parameters.js';
import {
  readCreateModal,
  readCreateModalMetadata,
} from '../../../src/bot/views/create-modal-read.js';
import { blockKitProblems } from '../../../src/bot/views/limits.js';
import { LONG, parameters, preview, ROLE_ARN, warnedPreview } from './samples.js';

const types: TriggerType[] = ['at', 'rate', 'cron', 'event'];

/** A modal's state; `without` leaves out the pipeline or the person's zone. */
function state(
  overrides: Partial<CreateModalState> = {},
  without: Array<'pipeline' | 'userTimeZone'> = [],
): CreateModalState {
  const s: CreateModalState = {
    triggerType: 'cron',
    pipeline: { name: 'churn-train', parameters: parameters(5) },
    roleChoices: { prod: ROLE_ARN, dev: 'arn:aws:iam::123456789012:role/Dev' },
    userTimeZone: 'America/New_York',
    values: {},
    ...overrides,
  };
  for (const key of without) delete s[key];
  return s;
}

const inputs = (view: ModalView) => view.blocks.filter((b): b is InputBlock => b.type === 'input');

/**
 * What Slack would send back in view.state.values if the person changed nothing: each input's
 * initial value, in the shape of its element type.
 */
function submitted(view: ModalView): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of inputs(view)) {
    const e = block.element as unknown as Record<string, unknown> & {
      type: string;
      action_id: string;
    };
    const value =
      e.type === 'plain_text_input' || e.type === 'number_input'
        ? { value: e.initial_value ?? null }
        : e.type === 'datetimepicker'
          ? { selected_date_time: e.initial_date_time ?? null }
          : { selected_option: e.initial_option ?? null };
    values[block.block_id ?? ''] = { [e.action_id]: { type: e.type, ...value } };
  }
  return values;
}

describe('createModal', () => {
  it.each(types)('a %s form is valid, with and without a pipeline and a preview', (type) => {
    for (const s of [
      state({ triggerType: type }),
      state({ triggerType: type, roleChoices: {} }, ['pipeline']),
      state({ triggerType: type, preview: { ok: true, preview: warnedPreview() } }),
      state({ triggerType: type, roleChoices: {} }),
      state({ triggerType: type }, ['userTimeZone']),
    ]) {
      const view = createModal(s);
      expect(blockKitProblems('modal', view)).toEqual([]);
      expect(view.callback_id).toBe(ids.views.create);
      expect(readCreateModalMetadata(view.private_metadata)).toEqual({
        triggerType: type,
        ...(s.pipeline ? { pipeline: s.pipeline.name } : {}),
      });
    }
  });

  it("a rule's form shows the role check's warnings, escaped, where a schedule shows its preview", () => {
    const view = createModal(
      state({
        triggerType: 'event',
        ruleWarnings: [
          { code: 'ROLE_CHECK', message: 'role <Runner>: events.amazonaws.com may not assume it' },
        ],
      }),
    );
    expect(blockKitProblems('modal', view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain(
      ':warning: role &lt;Runner&gt;: events.amazonaws.com may not assume it',
    );
  });

  it('shows the inputs each trigger type needs', () => {
    const blockIds = (type: TriggerType) =>
      inputs(createModal(state({ triggerType: type }))).map((b) => b.block_id);
    const c = ids.create;
    expect(blockIds('cron')).toEqual(
      expect.arrayContaining([c.expression.block, c.timeZone.block, c.start.block, c.end.block]),
    );
    expect(blockIds('at')).toContain(c.atPicker.block);
    expect(blockIds('at')).not.toContain(c.start.block);
    expect(blockIds('event')).toContain(c.eventPattern.block);
    expect(blockIds('event')).not.toContain(c.timeZone.block);
    for (const type of types) {
      const view = createModal(state({ triggerType: type }));
      const byId = new Map(inputs(view).map((b) => [b.block_id, b]));
      expect(byId.get(c.triggerType.block)?.dispatch_action).toBe(true);
      const pipeline = byId.get(c.pipeline.block);
      expect(pipeline?.dispatch_action).toBe(true);
      expect(pipeline?.element).toMatchObject({
        type: 'external_select',
        action_id: ids.options.pipeline,
        min_query_length: 1,
      });
    }
  });

  it('the loading view opens at once, without inputs', () => {
    const view = createModal(state({ loading: true }));
    expect(inputs(view)).toEqual([]);
    expect(view.submit).toBeUndefined();
    expect(blockKitProblems('modal', view)).toEqual([]);
  });

  it('shows the preview in the chosen zone and the user’s, or the error', () => {
    const ok = JSON.stringify(
      createModal(state({ preview: { ok: true, preview: preview() } })).blocks,
    );
    expect(ok).toContain('at 08:00, Monday through Friday, Europe/Berlin');
    expect(ok).toContain('• Tue 2026-03-03 08:00 Europe/Berlin');
    expect(ok).toContain('*Your time (America/New_York)*');
    expect(ok).toContain('• Tue 2026-03-03 02:00 America/New_York');
    const failed = createModal(
      state({ preview: { ok: false, message: 'cron: day-of-week must be 1-7 <not 9>' } }),
    );
    expect(blockKitProblems('modal', failed)).toEqual([]);
    expect(JSON.stringify(failed.blocks)).toContain(
      ':x: cron: day-of-week must be 1-7 &lt;not 9&gt;',
    );
  });

  it('time zone defaults to the user’s; role is a select of aliases with ARNs', () => {
    const view = createModal(state());
    const byId = new Map(inputs(view).map((b) => [b.block_id, b]));
    expect(byId.get(ids.create.timeZone.block)?.element).toMatchObject({
      type: 'external_select',
      action_id: ids.options.timeZone,
      initial_option: { value: 'America/New_York' },
    });
    const role = byId.get(ids.create.role.block)?.element;
    expect(role).toMatchObject({ type: 'static_select' });
    expect(JSON.stringify(role)).toContain('"value":"prod"');
    expect(JSON.stringify(role)).toContain(
      `"description":{"type":"plain_text","text":"${ROLE_ARN}"}`,
    );
    // One allowed role is chosen for the person.
    const one = createModal(state({ roleChoices: { prod: ROLE_ARN } }));
    expect(inputs(one).find((b) => b.block_id === ids.create.role.block)?.element).toMatchObject({
      initial_option: { value: 'prod' },
    });
  });

  it.each([0, 5, MAX_PARAMETER_INPUTS, 100])('%i parameters stay within 100 blocks', (count) => {
    for (const type of types) {
      const view = createModal(
        state({
          triggerType: type,
          pipeline: { name: 'churn-train', parameters: parameters(count) },
          preview: { ok: true, preview: warnedPreview() },
        }),
      );
      expect(blockKitProblems('modal', view)).toEqual([]);
      const perParameter = inputs(view).filter((b) =>
        b.block_id?.startsWith(ids.create.parameterBlockPrefix),
      );
      expect(perParameter).toHaveLength(count <= MAX_PARAMETER_INPUTS ? count : 0);
      if (count > MAX_PARAMETER_INPUTS) {
        const json = JSON.stringify(view.blocks);
        expect(json).toContain(`declares ${count} parameters, too many for a field each`);
        expect(inputs(view).some((b) => b.block_id === ids.create.parameters.block)).toBe(true);
      }
    }
  });

  it('parameters: label is name and type, optional when there is a default', () => {
    const view = createModal(state());
    const params = inputs(view).filter((b) =>
      b.block_id?.startsWith(ids.create.parameterBlockPrefix),
    );
    expect(params.map((b) => [b.label.text, b.optional ?? false, b.element.type])).toEqual([
      ['Param0 (String)', false, 'plain_text_input'],
      ['Param1 (Integer)', true, 'number_input'],
      ['Param2 (Float)', true, 'number_input'],
      ['Param3 (Boolean)', true, 'static_select'],
      ['Param4 (String)', true, 'static_select'],
    ]);
    expect(params[1]?.element).toMatchObject({ placeholder: { text: 'default: 1' } });
  });

  it('256-character names are clipped within limits', () => {
    for (const type of types)
      for (const count of [5, 100]) {
        const view = createModal(
          state({
            triggerType: type,
            pipeline: {
              name: LONG,
              parameters: parameters(count, (i) => `${LONG.slice(0, 250)}${i}`),
            },
            roleChoices: { [LONG.slice(0, 64)]: `${ROLE_ARN}${'x'.repeat(200)}` },
            values: { name: LONG, expression: LONG, timeZone: LONG },
            preview: { ok: true, preview: preview() },
          }),
        );
        expect(blockKitProblems('modal', view)).toEqual([]);
        expect(readCreateModalMetadata(view.private_metadata).pipeline).toBe(LONG);
      }
  });

  it('a parameter name too long for an action_id moves to the Name=value input', () => {
    const view = createModal(
      state({
        pipeline: { name: 'p', parameters: parameters(3, (i) => `${LONG}${i}`.slice(0, 256)) },
      }),
    );
    expect(blockKitProblems('modal', view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('too long for a field of its own');
  });
});

describe('readCreateModal', () => {
  it.each(types)('round-trips the values of a %s form', (type) => {
    const values: CreateModalState['values'] =
      type === 'event'
        ? {
            eventPattern: '{"source":["aws.s3"]}',
            name: 'ingest-on-upload',
            roleAlias: 'prod',
            parameters: { Param0: 'abc', Param1: '42', Param3: 'false', Param4: 'large' },
          }
        : {
            expression: {
              at: 'at(2026-12-24T09:00:00)',
              rate: 'rate(6 hours)',
              cron: 'cron(0 8 ? * MON-FRI *)',
            }[type],
            timeZone: 'Europe/Berlin',
            ...(type === 'at'
              ? {}
              : { start: '2026-04-01T06:00:00Z', end: '2026-12-31T23:00:00Z' }),
            window: '15',
            name: 'churn-weekdays',
            roleAlias: 'dev',
            parameters: { Param0: 'abc', Param2: '0.25', Param4: 'small' },
          };
    const view = createModal(state({ triggerType: type, values }));
    expect(readCreateModal(submitted(view))).toEqual({
      triggerType: type,
      pipeline: 'churn-train',
      values,
    });
  });

  it('round-trips the Name=value input of a pipeline with 100 parameters', () => {
    const values = { parameters: { Param1: '7', Param3: 'true' }, timeZone: 'UTC' };
    const view = createModal(
      state({ pipeline: { name: 'churn-train', parameters: parameters(100) }, values }),
    );
    const read = readCreateModal(submitted(view));
    expect(read.values).toEqual(values);
    // The required ones are listed for the person to fill in.
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('Param0=\\nParam5=');
  });

  it('for at(), a picked date-time becomes at(…) in the chosen zone', () => {
    const view = createModal(state({ triggerType: 'at', values: { timeZone: 'Europe/Berlin' } }));
    const values = submitted(view);
    values[ids.create.atPicker.block] = {
      [ids.create.atPicker.action]: {
        type: 'datetimepicker',
        selected_date_time: Date.parse('2026-12-24T08:00:00Z') / 1000,
      },
    };
    values[ids.create.expression.block] = {
      [ids.create.expression.action]: {
        type: 'plain_text_input',
        value: 'at(2027-01-01T00:00:00)',
      },
    };
    expect(readCreateModal(values).values.expression).toBe('at(2026-12-24T09:00:00)');
  });

  it('reads an empty form as a cron form with nothing filled in', () => {
    expect(readCreateModal({})).toEqual({ triggerType: 'cron', values: {} });
  });
});

describe('pipelineOptionValue', () => {
  it('is the name when it fits, and a short distinct token otherwise', () => {
    expect(pipelineOptionValue('churn-train')).toBe('churn-train');
    const a = pipelineOptionValue(`${LONG}a`.slice(0, 256));
    const b = pipelineOptionValue(`${LONG.slice(0, 255)}b`);
    expect(a.length).toBeLessThanOrEqual(75);
    expect(a).not.toBe(b);
  });
});
