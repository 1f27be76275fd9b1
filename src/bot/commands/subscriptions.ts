import type { CommandDefinition, CommandDeps } from './command.js';
import { audit, defineCommand, inputError, readerFor } from './command.js';
import { channelId, mistake, type Usage } from './parsing.js';
import type { Reply } from './replies.js';

export type SubscribeCommand = {
  name: 'subscribe';
  pipeline: string;
  channel?: string;
  failuresOnly: boolean;
};
export type UnsubscribeCommand = { name: 'unsubscribe'; pipeline: string; channel?: string };
type SubscriptionCommand = SubscribeCommand | UnsubscribeCommand;

/**
 * subscribe and unsubscribe: which channels a pipeline's executions are posted in, decided by
 * the pipeline's operators and recorded with who set each one up.
 */
export function subscriptionChange<C extends SubscriptionCommand>(
  name: C['name'],
  usage: Usage,
): CommandDefinition<C> {
  return defineCommand<C>({
    name,
    usage,
    dryRun: false,
    needsService: true,
    parse({ positional, options }) {
      const [pipeline, ...rest] = positional;
      const failuresOnly = rest.includes('failures-only');
      const others = rest.filter((r) => r !== 'failures-only');
      if (
        !pipeline ||
        others.length > 1 ||
        options.length > 0 ||
        (name === 'unsubscribe' && failuresOnly)
      )
        return mistake(
          `${name} needs a pipeline, then optionally a channel${name === 'subscribe' ? ' and failures-only' : ''}`,
        );
      const channel = others[0] === undefined ? undefined : channelId(others[0]);
      if (others[0] !== undefined && !channel)
        return mistake(
          `"${others[0]}" is not a channel: pick it from Slack's # list (an id like C0123ABCD)`,
        );
      const command = {
        name,
        pipeline,
        ...(name === 'subscribe' ? { failuresOnly } : {}),
        ...(channel ? { channel } : {}),
      } as C;
      return { ok: true, command };
    },
    text: (command) =>
      [
        command.name,
        command.pipeline,
        ...(command.channel ? [`#${command.channel}`] : []),
        ...(command.name === 'subscribe' && command.failuresOnly ? ['failures-only'] : []),
      ].join(' '),
    run: (command, deps) => runSubscription(command, deps),
  });
}

async function runSubscription(command: SubscriptionCommand, deps: CommandDeps): Promise<Reply> {
  const subscriptions = deps.subscriptions;
  if (!subscriptions)
    return {
      kind: 'error',
      message: `${command.name} needs the store, which is not open here`,
      exitCode: 1,
    };
  const channel = command.channel ?? deps.channelId;
  if (!channel)
    return {
      kind: 'error',
      message: `${command.name}: name the channel, e.g. ${command.name} ${command.pipeline} #C0123ABCD`,
      exitCode: 2,
    };
  const pipeline = await deps.service?.pipeline(command.pipeline);
  if (pipeline && !pipeline.ok)
    return { kind: 'error', message: pipeline.error.message, exitCode: 2 };
  const recorded = (event: string, details: object) =>
    audit(deps, { event, action: command.name, pipelineNames: [command.pipeline], details });
  const denied = await subscriptionDenied(command, channel, deps);
  if (denied) {
    await recorded('denied', { reason: denied, channel });
    return inputError(denied);
  }
  const summary = [command.name, command.pipeline, `#${channel}`].join(' ');
  if (command.name === 'subscribe') {
    await subscriptions.put({
      pipeline: command.pipeline,
      channel,
      filter: command.failuresOnly ? 'failures' : 'all',
      ...(deps.userId ? { createdBy: deps.userId } : {}),
      createdAt: deps.now(),
    });
    await recorded('executed', { summary, channel });
    return {
      kind: 'subscribed',
      pipeline: command.pipeline,
      channel,
      failuresOnly: command.failuresOnly,
    };
  }
  const existed = await subscriptions.delete(command.pipeline, channel);
  if (existed) await recorded('executed', { summary, channel });
  return { kind: 'unsubscribed', pipeline: command.pipeline, channel, existed };
}

/**
 * Where a pipeline's executions are posted is its operators' decision: subscribing needs the
 * pipeline's `pause` permission (the rule for operating its triggers), so nobody can point
 * another team's pipeline at an arbitrary channel; unsubscribing needs it too, unless the
 * subscription is the person's own. Reading the pipeline is needed either way.
 */
async function subscriptionDenied(
  command: SubscriptionCommand,
  channel: string,
  deps: CommandDeps,
): Promise<string | undefined> {
  const access = deps.access;
  if (!access) return undefined;
  const reader = await readerFor(deps);
  if (!reader.ok) return reader.reason;
  const unreadable = reader.denial([command.pipeline]);
  if (unreadable) return unreadable;
  const decision = await access.decide({
    userId: deps.userId ?? 'unknown',
    action: 'pause',
    pipelineNames: [command.pipeline],
    ...(deps.channelId ? { channelId: deps.channelId } : {}),
  });
  if (decision.outcome !== 'deny') return undefined;
  if (command.name === 'unsubscribe') {
    const existing = (await deps.subscriptions?.list(command.pipeline))?.find(
      (s) => s.channel === channel,
    );
    if (existing && existing.createdBy !== undefined && existing.createdBy === deps.userId)
      return undefined;
    const owner = existing?.createdBy ? ` (${existing.createdBy} set it up)` : '';
    return `only those who may pause or resume ${command.pipeline} can remove its alerts from another person's subscription${owner}: ${decision.reason}`;
  }
  return `subscribing a channel to ${command.pipeline} follows the rule for pausing it: ${decision.reason}`;
}
