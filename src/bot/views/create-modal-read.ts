import { formatInstant } from '../../scheduling/expression/index.js';
import { ids } from '../ids.js';
import type { CreateModalState, TriggerType } from './create-modal.js';

/** Reading the create modal back: its private_metadata and its submitted (or changed) values. */

const c = ids.create;

/** The inverse of createModalMetadata; unknown input gives a cron form with no pipeline. */
export function readCreateModalMetadata(metadata: string | undefined): {
  triggerType: TriggerType;
  pipeline?: string;
  /** The trigger being edited, when the modal came from its Edit button. */
  editing?: string;
} {
  try {
    const parsed = JSON.parse(metadata ?? '') as { t?: unknown; p?: unknown; e?: unknown };
    return {
      triggerType: isTriggerType(parsed.t) ? parsed.t : 'cron',
      ...(typeof parsed.p === 'string' ? { pipeline: parsed.p } : {}),
      ...(typeof parsed.e === 'string' && parsed.e ? { editing: parsed.e } : {}),
    };
  } catch {
    return { triggerType: 'cron' };
  }
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
