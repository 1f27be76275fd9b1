import {
  type CommandDeps,
  defineCommand,
  inputError,
  type PreparedEvent,
  readArgument,
} from './command.js';
import { mistake } from './parsing.js';
import type { Reply } from './replies.js';

export type PutEventCommand = { name: 'put-event'; event: string };

/**
 * Sources whose events the bot believes: a forged pipeline status would post "Failed" to an
 * alerts channel, so nobody publishes them by hand.
 */
const RESERVED_SOURCES = new Set(['aws.sagemaker']);

export const putEvent = defineCommand<PutEventCommand>({
  name: 'put-event',
  usage: {
    syntax: 'put-event <event JSON|@file>',
    summary: 'publish an event on the local bus (local back end)',
    example: 'put-event @examples/s3-object-created.json',
  },
  dryRun: false,
  needsService: true,
  parse({ positional }) {
    const [event, ...extra] = positional;
    if (!event || extra.length > 0) return mistake('put-event needs one event, as JSON or @file');
    return { ok: true, command: { name: 'put-event', event } };
  },
  async run(command, deps) {
    if (!deps.localEvents)
      return inputError('put-event publishes on the local event bus; it works with BACKEND=local');
    const event = readArgument(command.event, deps, 'event');
    if (!event.ok) return event.reply;
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.text);
    } catch (error) {
      return inputError(
        event.file
          ? `event: ${event.file} is not valid JSON (its content is not shown)`
          : `event: not valid JSON (${(error as Error).message})`,
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      return inputError('event: must be a JSON object');
    const source = (parsed as { source?: unknown }).source;
    if (typeof source === 'string' && RESERVED_SOURCES.has(source))
      return inputError(
        `event: source ${source} is reserved: pipeline status events come from SageMaker only`,
      );
    const prepared = await deps.localEvents.prepare(parsed as Record<string, unknown>);
    const denied = await putEventDenied(prepared, deps);
    if (denied) return denied;
    const published = await deps.localEvents.publish(prepared);
    return {
      kind: 'event-published',
      id: prepared.id,
      source: prepared.source,
      detailType: prepared.detailType,
      ...(published.duplicate ? { duplicate: true } : {}),
    };
  },
});

/**
 * Publishing an event starts what its rules start: the publisher needs `run` on each of those
 * pipelines, without approval, as if they had typed `run` for each.
 */
async function putEventDenied(
  prepared: PreparedEvent,
  deps: CommandDeps,
): Promise<Reply | undefined> {
  const access = deps.access;
  if (!access || prepared.pipelines.length === 0) return undefined;
  for (const pipeline of prepared.pipelines) {
    const decision = await access.decide({
      userId: deps.userId ?? 'unknown',
      action: 'run',
      pipelineNames: [pipeline],
      ...(deps.channelId ? { channelId: deps.channelId } : {}),
    });
    const reason =
      decision.outcome === 'deny'
        ? decision.reason
        : decision.outcome === 'approval'
          ? `running ${pipeline} needs approval; ask for it with run ${pipeline}`
          : undefined;
    if (reason === undefined) continue;
    await deps.auditLog?.append({
      at: deps.now(),
      actor: deps.userId ?? 'unknown',
      event: 'denied',
      action: 'put-event',
      pipelineNames: prepared.pipelines,
      ...(deps.requestId ? { requestId: deps.requestId } : {}),
      details: JSON.stringify({ reason, eventId: prepared.id }),
    });
    return inputError(`this event would start ${pipeline} through a rule, and ${reason}`);
  }
  return undefined;
}
