import { defineCommand, inputError, readerFor, serviceError, serviceOf } from './command.js';
import { pipelinesOfDescription } from './describe.js';
import { mistake } from './parsing.js';

export type TicksCommand = { name: 'ticks'; trigger: string; count: number };

const MAX_TICKS = 100;

/**
 * ticks: a trigger's recent runs and what became of each: a schedule's occurrences (started,
 * started late, missed), a rule's executions (the events it matched that started one).
 */
export const ticks = defineCommand<TicksCommand>({
  name: 'ticks',
  usage: {
    syntax: 'ticks <trigger> [count]',
    summary: "a trigger's recent runs: started, started late or missed, and why",
    example: 'ticks nightly-retrain 20',
  },
  dryRun: false,
  needsService: true,
  parse({ positional, options }) {
    const [trigger, countText, ...extra] = positional;
    if (!trigger || extra.length > 0 || options.length > 0)
      return mistake('ticks needs one trigger, and optionally how many runs to show');
    const count = countText === undefined ? 10 : Number(countText);
    if (!Number.isInteger(count) || count < 1 || count > MAX_TICKS)
      return mistake(`the count must be a whole number from 1 to ${MAX_TICKS}, not "${countText}"`);
    return { ok: true, command: { name: 'ticks', trigger, count } };
  },
  async run(command, deps) {
    const reader = await readerFor(deps);
    if (!reader.ok) return inputError(reader.reason);
    const found = serviceOf(deps, 'ticks');
    if (!found.ok) return found.reply;
    // Reading follows the pipeline's read rule, as describe does.
    const described = await found.service.describe(command.trigger, deps.now());
    if (!described.ok) return serviceError(described.error);
    const denied = reader.denial(pipelinesOfDescription(described.value));
    if (denied) return inputError(denied);
    const result = await found.service.ticksOf(command.trigger, command.count);
    if (!result.ok) return serviceError(result.error);
    return { kind: 'ticks', ref: described.value.ref, ticks: result.value };
  },
});
