import { madeElsewhereWords } from '../../scheduling/provenance.js';
import type { Orphan } from '../../scheduling/scheduling-service.js';
import {
  type CommandDeps,
  defineCommand,
  inputError,
  readerFor,
  requestContext,
  serviceError,
  serviceOf,
} from './command.js';
import { dryRunToken, mistake } from './parsing.js';

export type OrphansCommand = {
  name: 'orphans';
  clean: boolean;
  /** Only these (by name or `place/name`); all when empty. */
  only: string[];
  /** Rules made elsewhere to delete whole, not only their dead targets. */
  deleteRules: string[];
  dryRun: boolean;
};

export const orphans = defineCommand<OrphansCommand>({
  name: 'orphans',
  usage: {
    syntax: 'orphans [clean [<name>…] [delete-rule <name>…]] [--dry-run]',
    summary:
      'triggers whose pipeline no longer exists; clean removes exactly the dead schedules and rule targets',
    example: 'orphans clean --dry-run',
  },
  dryRun: true,
  needsService: true,
  parse({ positional, options, dryRun }) {
    const [action, ...rest] = positional;
    if ((action !== undefined && action !== 'clean') || options.length > 0)
      return mistake('orphans takes nothing, or clean [<name>…] [delete-rule <name>…]');
    if (action === undefined)
      return {
        ok: true,
        command: { name: 'orphans', clean: false, only: [], deleteRules: [], dryRun },
      };
    const split = rest.indexOf('delete-rule');
    const only = split === -1 ? rest : rest.slice(0, split);
    const deleteRules = split === -1 ? [] : rest.slice(split + 1);
    if (split !== -1 && deleteRules.length === 0)
      return mistake(
        'delete-rule needs the rule(s) to delete, e.g. orphans clean delete-rule nightly-ingest',
      );
    return { ok: true, command: { name: 'orphans', clean: true, only, deleteRules, dryRun } };
  },
  text: (command) =>
    [
      'orphans',
      ...(command.clean ? ['clean', ...command.only] : []),
      ...(command.deleteRules.length > 0 ? ['delete-rule', ...command.deleteRules] : []),
      ...dryRunToken(command.dryRun),
    ].join(' '),
  change: {
    // Listing them changes nothing; cleaning deletes what is dead.
    action: (command) => (command.clean ? 'delete' : undefined),
    async pipelines(command, deps) {
      const chosen = await chosenOrphans(command, deps);
      // The orphans could not be found (AWS throttled, denied): nothing is cleaned ungated.
      if (chosen === undefined && deps.service)
        return {
          refused: {
            kind: 'error',
            message: 'the orphans could not be listed just now; try again',
            exitCode: 1,
          },
        };
      return chosen && [...new Set(chosen.flatMap((o) => o.missingPipelines))];
    },
    async madeElsewhere(command, deps) {
      const chosen = await chosenOrphans(command, deps);
      const foreign = chosen?.find((o) => o.provenance.source !== 'bot');
      return foreign && `${foreign.ref} was ${madeElsewhereWords(foreign.provenance)}`;
    },
  },
  async run(command, deps) {
    const found = serviceOf(deps, 'orphans');
    if (!command.clean) {
      const reader = await readerFor(deps);
      if (!reader.ok) return inputError(reader.reason);
      if (!found.ok) return found.reply;
      const result = await found.service.orphans();
      if (!result.ok) return serviceError(result.error);
      return {
        kind: 'orphans',
        orphans: result.value.filter((o) => reader.mayRead(o.missingPipelines)),
        cleaned: false,
      };
    }
    if (!found.ok) return found.reply;
    const unknown = [...command.only, ...command.deleteRules];
    if (unknown.length > 0) {
      const listed = await found.service.orphans();
      if (!listed.ok) return serviceError(listed.error);
      const missing = unknown.filter((n) => !listed.value.some((o) => o.ref === n || o.name === n));
      if (missing.length > 0)
        return inputError(
          `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not an orphan; orphans lists them`,
        );
      const notRules = command.deleteRules.filter((n) =>
        listed.value.some((o) => (o.ref === n || o.name === n) && o.kind !== 'event'),
      );
      if (notRules.length > 0)
        return inputError(`delete-rule takes rules; ${notRules.join(', ')} is a schedule`);
    }
    const result = await found.service.cleanUpOrphans(requestContext(deps, command.dryRun), {
      ...(command.only.length > 0 || command.deleteRules.length > 0
        ? { names: [...command.only, ...command.deleteRules] }
        : {}),
      ...(command.deleteRules.length > 0 ? { deleteRules: command.deleteRules } : {}),
    });
    if (!result.ok) return serviceError(result.error);
    if ('dryRun' in result.value) return { kind: 'dry-run', requests: result.value.requests };
    return { kind: 'orphans', orphans: result.value, cleaned: true };
  },
});

/** The orphans a clean would touch: those named, or all. */
async function chosenOrphans(
  command: OrphansCommand,
  deps: CommandDeps,
): Promise<Orphan[] | undefined> {
  const found = await deps.service?.orphans();
  if (!found?.ok) return undefined;
  const names = [...command.only, ...command.deleteRules];
  return names.length === 0
    ? found.value
    : found.value.filter((o) => names.includes(o.ref) || names.includes(o.name));
}
