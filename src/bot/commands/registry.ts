import { adopt } from './adopt.js';
import { approvals } from './approvals.js';
import { approve } from './approve.js';
import { audit } from './audit.js';
import { cancel } from './cancel.js';
import type { CommandDefinition } from './command.js';
import { create } from './create.js';
import { deleteTrigger } from './delete.js';
import { describe } from './describe.js';
import { help } from './help.js';
import { history } from './history.js';
import { list } from './list.js';
import { next } from './next.js';
import { onEvent } from './on-event.js';
import { orphans } from './orphans.js';
import { pause } from './pause.js';
import { pipelines } from './pipelines.js';
import { putEvent } from './put-event.js';
import { reject } from './reject.js';
import { resume } from './resume.js';
import { run } from './run.js';
import { subscribe } from './subscribe.js';
import { testPattern } from './test-pattern.js';
import { ticks } from './ticks.js';
import { unsubscribe } from './unsubscribe.js';
import { update } from './update.js';
import { validate } from './validate.js';

/**
 * Every command, in the order help lists them. The grammar, help, the policy gate and the CLI
 * read what they need from here: a new command is one file and one line.
 */
export const commandDefinitions = [
  help,
  create,
  onEvent,
  list,
  describe,
  update,
  deleteTrigger,
  pause,
  resume,
  run,
  next,
  validate,
  history,
  ticks,
  orphans,
  adopt,
  pipelines,
  putEvent,
  approvals,
  approve,
  reject,
  cancel,
  subscribe,
  unsubscribe,
  audit,
  testPattern,
] as const;

type CommandOf<D> = D extends CommandDefinition<infer C> ? C : never;

/** Any command the grammar can produce. */
export type Command = CommandOf<(typeof commandDefinitions)[number]>;

const byTypedName = new Map<string, CommandDefinition<Command>>();
const byCommandName = new Map<string, CommandDefinition<Command>>();
for (const definition of commandDefinitions) {
  // Each definition runs only the commands it parses; dispatch below keeps it so.
  const d = definition as unknown as CommandDefinition<Command>;
  byTypedName.set(d.name, d);
  for (const name of [d.name, ...(d.produces ?? [])]) byCommandName.set(name, d);
}

/** The command a person typed the name of. */
export function definitionNamed(name: string): CommandDefinition<Command> | undefined {
  return byTypedName.get(name);
}

/** The definition that runs a parsed command. */
export function definitionOf(command: Command): CommandDefinition<Command> {
  const definition = byCommandName.get(command.name);
  if (!definition) throw new Error(`no definition runs ${command.name}`);
  return definition;
}
