import {
  defineCommand,
  inputError,
  readerFor,
  requestContext,
  serviceError,
  serviceOf,
} from './command.js';
import { dryRunToken, mistake } from './parsing.js';

export type OrphansCommand = { name: 'orphans'; clean: boolean; dryRun: boolean };

export const orphans = defineCommand<OrphansCommand>({
  name: 'orphans',
  usage: {
    syntax: 'orphans [clean] [--dry-run]',
    summary: 'triggers whose pipeline no longer exists; clean removes them',
    example: 'orphans clean',
  },
  dryRun: true,
  needsService: true,
  parse({ positional, options, dryRun }) {
    const [action, ...extra] = positional;
    if ((action !== undefined && action !== 'clean') || extra.length > 0 || options.length > 0)
      return mistake('orphans takes nothing, or clean');
    return { ok: true, command: { name: 'orphans', clean: action === 'clean', dryRun } };
  },
  text: (command) =>
    ['orphans', ...(command.clean ? ['clean'] : []), ...dryRunToken(command.dryRun)].join(' '),
  change: {
    // Listing them changes nothing; cleaning deletes triggers of pipelines that are gone.
    action: (command) => (command.clean ? 'delete' : undefined),
    async pipelines(_command, deps) {
      const found = await deps.service?.orphans();
      if (!found?.ok) return undefined;
      return [...new Set(found.value.flatMap((o) => o.missingPipelines))];
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
    const result = await found.service.cleanUpOrphans(requestContext(deps, command.dryRun));
    if (!result.ok) return serviceError(result.error);
    if ('dryRun' in result.value) return { kind: 'dry-run', requests: result.value.requests };
    return { kind: 'orphans', orphans: result.value, cleaned: true };
  },
});
