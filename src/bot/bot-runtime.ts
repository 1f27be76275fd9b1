import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { type CommandHost, openRuntime, type Runtime } from '../runtime.js';
import type { CommandDeps } from './commands/command.js';
import { executeApproved } from './commands/run-command.js';
import { executionMessage, failureReply } from './views/execution-message.js';
import { missedRunMessage } from './views/missed-run.js';
import { ruleFailureMessage } from './views/rule-failure.js';

type RuntimeOptions = Parameters<typeof openRuntime>[2];

/** The runtime as the chat front ends use it: with commands, run as a person. */
export interface BotRuntime extends Runtime {
  /** What a command needs to run on behalf of this person (from this channel). */
  commandDeps(userId: string, channelId?: string): CommandDeps;
}

/**
 * Opens the runtime with the command layer plugged in: approved requests run as commands, and
 * the bot's own messages render what the runtime reports. The runtime itself knows nothing of
 * the bot.
 */
export async function openBotRuntime(
  config: Config,
  log: Logger,
  options: Omit<RuntimeOptions, 'executeApproved' | 'messages'>,
): Promise<BotRuntime> {
  const runtime = await openRuntime(config, log, {
    ...options,
    messages: {
      execution: executionMessage,
      failure: failureReply,
      ruleFailure: ruleFailureMessage,
      missedRun: missedRunMessage,
    },
    executeApproved: (payload, requestId, host) =>
      executeApproved(payload, requestId, commandDepsFor(host, payload.access.userId)),
  });
  return Object.assign(runtime, {
    commandDeps: (userId: string, channelId?: string) => commandDepsFor(runtime, userId, channelId),
  });
}

/** What a command needs to run as this person, from this channel. */
export function commandDepsFor(host: CommandHost, userId: string, channelId?: string): CommandDeps {
  return {
    service: host.service,
    ...(host.localEvents ? { localEvents: host.localEvents } : {}),
    now: () => new Date(),
    userId,
    ...(channelId ? { channelId } : {}),
    allowedRoles: [],
    roleAliases: host.roleAliases,
    ...(host.defaultRole ? { defaultRole: host.defaultRole } : {}),
    access: host.access,
    auditLog: host.store.audit,
    subscriptions: host.store.subscriptions,
  };
}
