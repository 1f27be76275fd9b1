import { parseDecisionValue, rejectReasonModal } from '../../../views/approval-message.js';
import { actionValue, messageOf, parseMetadata } from '../../support.js';
import type { ActionArgs } from '../types.js';

/** Reject: asks for the reason first (the requester reads it); the decision comes with it. */
export function reject() {
  return async ({ ack, body, action, client }: ActionArgs) => {
    await ack();
    const value = parseDecisionValue(actionValue(action));
    if (!value || !body.trigger_id) return;
    const view = rejectReasonModal(value.requestId, value.contentHash);
    // Remember where the request's message is, to update it once the reason is given.
    view.private_metadata = JSON.stringify({
      ...parseMetadata(view.private_metadata),
      ...messageOf(body),
    });
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}
