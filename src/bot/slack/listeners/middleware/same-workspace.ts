import type { AllMiddlewareArgs, AnyMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '../../../../logger.js';
import { teamOf } from '../../support.js';

/**
 * Requests from another workspace are not ours to act on, even when correctly signed (an app
 * shared across workspaces, a signing secret used elsewhere): acknowledged and ignored.
 */
export function sameWorkspaceOnly(
  installationTeam: () => Promise<string | undefined>,
  log: Logger,
) {
  return async (args: AnyMiddlewareArgs & AllMiddlewareArgs) => {
    const theirs = args.context.teamId ?? teamOf(args.body);
    const ours = await installationTeam();
    if (ours !== undefined && theirs === ours) {
      await args.next();
      return;
    }
    log.warn({ team: theirs, installation: ours }, 'slack request from another workspace ignored');
    const ack = (args as { ack?: () => Promise<void> }).ack;
    if (ack) await ack();
  };
}
