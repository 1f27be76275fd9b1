import { defineCommand, inputError, readerFor, serviceError, serviceOf } from './command.js';
import { jsonSwitch, mistake, parseOptions } from './parsing.js';

export type ListCommand = {
  name: 'list';
  pipeline?: string;
  /** One page of at most this many; every trigger when unset (outside Slack). */
  limit?: number;
  /** Where the previous page stopped (the Next page button carries it). */
  after?: string;
  json?: true;
};

/** Every trigger, when no page size is asked for: bounded, so an account cannot flood a reply. */
const MAX_LISTED = 5_000;
/** Slack shows one page at a time: a message holds at most 50 blocks. */
export const SLACK_LIST_PAGE = 20;

export const list = defineCommand<ListCommand>({
  name: 'list',
  usage: {
    syntax: 'list [<pipeline>] [limit=<n>] [--json]',
    summary: 'the schedules and rules, or those of one pipeline, and who made each',
    example: 'list churn-train',
  },
  dryRun: false,
  switches: ['json'],
  needsService: true,
  parse({ positional, options, switches }) {
    if (positional.length > 1) return mistake('list takes at most one pipeline');
    const parsed = parseOptions(options, 'list', ['limit', 'after'], false);
    if (!parsed.ok) return parsed;
    const { limit, after } = parsed.options;
    if (limit !== undefined && !/^([1-9]\d?|100)$/.test(limit))
      return mistake(`limit=${limit}: give a whole number from 1 to 100`);
    const [pipeline] = positional;
    return {
      ok: true,
      command: {
        name: 'list',
        ...(pipeline ? { pipeline } : {}),
        ...(limit ? { limit: Number(limit) } : {}),
        ...(after ? { after } : {}),
        ...jsonSwitch(switches),
      },
    };
  },
  text: (command) =>
    [
      'list',
      ...(command.pipeline ? [command.pipeline] : []),
      ...(command.limit ? [`limit=${command.limit}`] : []),
      ...(command.json ? ['--json'] : []),
    ].join(' '),
  async run(command, deps) {
    const reader = await readerFor(deps);
    if (!reader.ok) return inputError(reader.reason);
    const found = serviceOf(deps, 'list');
    if (!found.ok) return found.reply;
    const pageSize = command.limit ?? deps.listPageSize;
    const items = [];
    let nextToken = command.after;
    do {
      const result = await found.service.list({
        ...(command.pipeline ? { pipeline: command.pipeline } : {}),
        maxResults: pageSize ?? 100,
        ...(nextToken ? { nextToken } : {}),
      });
      if (!result.ok) return serviceError(result.error);
      items.push(...result.value.items.filter((item) => reader.mayRead(item.pipelineNames)));
      nextToken = result.value.nextToken;
    } while (pageSize === undefined && nextToken && items.length < MAX_LISTED);
    return {
      kind: 'list',
      items,
      ...(command.pipeline ? { filter: command.pipeline } : {}),
      more: nextToken !== undefined,
      ...(nextToken ? { nextToken } : {}),
      ...jsonSwitch(command),
    };
  },
});
