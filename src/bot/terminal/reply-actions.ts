import type { ParameterValue } from '../../scheduling/pipeline.js';
import type { TriggerState } from '../../scheduling/triggers.js';
import { commandText } from '../commands/grammar.js';
import type { Reply } from '../commands/replies.js';

/**
 * What a person can do next with a reply, as the commands to type: the terminal's stand-in for
 * the buttons Slack puts on the same reply (src/bot/views: Pause or Resume, Run now, Delete,
 * Details, Clean up, Approve, Reject, New trigger). Each button runs one of these commands, so
 * keep the two in step. `<…>` marks what the person fills in.
 */
export function replyActions(reply: Reply): string[] {
  switch (reply.kind) {
    case 'described': {
      // Slack's Edit opens the form; here, the command with what to change filled in.
      const d = reply.description;
      return [
        ...(d.kind === 'schedule'
          ? triggerActions(d.trigger.name, d.trigger.state, d.trigger)
          : triggerActions(d.trigger.name, d.trigger.state)),
        `update ${d.trigger.name} <change>`,
      ];
    }
    case 'schedule-created':
      return triggerActions(reply.schedule.name, reply.schedule.state, reply.schedule);
    case 'rule-created':
      return triggerActions(reply.rule.name, reply.rule.state);
    case 'changed':
      // Only the way back: Resume after a pause, Pause after a resume.
      return reply.action === 'paused'
        ? [`resume ${reply.item.name}`]
        : reply.action === 'resumed'
          ? [`pause ${reply.item.name}`]
          : [];
    case 'confirm-delete':
      return [`delete ${reply.ref} --yes`];
    case 'trigger-updated':
      return reply.update.dryRun ? [] : [`describe ${reply.update.ref}`];
    case 'list':
      // Slack puts the buttons on each row; here, once, with the name to fill in.
      if (reply.items.length > 0)
        return ['describe <name>', 'pause <name>', 'resume <name>', 'delete <name>'];
      return reply.filter ? [] : ['create'];
    case 'history':
      return [`run ${reply.pipeline}`];
    case 'ticks':
      return reply.ticks.some((t) => t.outcome === 'missed') ? [`describe ${reply.ref}`] : [];
    case 'orphans':
      return !reply.cleaned && reply.orphans.length > 0 ? ['orphans clean'] : [];
    case 'approval-requested':
      // The approvers' buttons, on the message in the approval channel.
      return [`approve ${reply.request.id}`, `reject ${reply.request.id} <reason>`];
    default:
      return [];
  }
}

/**
 * Pause or Resume by state, Run now for a schedule (its pipeline with the schedule's own
 * parameters; a rule runs when its event arrives), Delete.
 */
function triggerActions(
  name: string,
  state: TriggerState,
  schedule?: { pipelineName: string; parameters: ParameterValue[] },
): string[] {
  return [
    state === 'ENABLED' ? `pause ${name}` : `resume ${name}`,
    ...(schedule
      ? [
          commandText({
            name: 'run',
            pipeline: schedule.pipelineName,
            parameters: schedule.parameters,
            dryRun: false,
          }),
        ]
      : []),
    `delete ${name}`,
  ];
}

/** One line under a reply: `→ pause x | run churn-train | delete x`. */
export function actionsLine(actions: string[]): string[] {
  return actions.length > 0 ? [`→ ${actions.join(' | ')}`] : [];
}
