import type { AllMiddlewareArgs, AnyMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '../../../../logger.js';
import { enterpriseOf, teamOf } from '../../support.js';

/** Where the app is installed: a workspace, and the Enterprise Grid org it belongs to, if any. */
export interface Installation {
  teamId?: string;
  enterpriseId?: string;
}

/**
 * Requests from another workspace are not ours to act on, even when correctly signed (an app
 * shared across workspaces, a signing secret used elsewhere): acknowledged and ignored. In an
 * Enterprise Grid org-wide install every workspace of the org has its own team id (and some
 * payloads carry `team: null`): the org's enterprise id is what they share.
 */
export function sameWorkspaceOnly(
  installation: () => Promise<Installation | undefined>,
  log: Logger,
) {
  // Once known, the installation does not change: no await per request for it.
  let known: Installation | undefined;
  return async (args: AnyMiddlewareArgs & AllMiddlewareArgs) => {
    const team = args.context.teamId ?? teamOf(args.body);
    const enterprise = args.context.enterpriseId ?? enterpriseOf(args.body);
    const ours = known ?? (await installation());
    known = ours;
    const same =
      ours !== undefined &&
      ((ours.teamId !== undefined && team === ours.teamId) ||
        (ours.enterpriseId !== undefined && enterprise === ours.enterpriseId));
    if (same) {
      await args.next();
      return;
    }
    log.warn(
      { team, enterprise, installation: ours },
      'slack request from another workspace ignored',
    );
    const ack = (args as { ack?: () => Promise<void> }).ack;
    if (ack) await ack();
  };
}
