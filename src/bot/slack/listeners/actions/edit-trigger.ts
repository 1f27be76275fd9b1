import type { CreateModalFlow } from '../../create-modal-flow.js';
import { actionValue, channelOf } from '../../support.js';
import type { ActionArgs } from '../types.js';

/**
 * Edit on a trigger's details: the create modal prefilled with it. What is submitted runs as a
 * typed `update` would, through the same gate; the button's value names a trigger, nothing more.
 */
export function editTrigger(modal: CreateModalFlow) {
  return async ({ ack, body, action, client }: ActionArgs) => {
    await ack();
    if (body.trigger_id)
      await modal.openEdit(
        client,
        body.trigger_id,
        body.user.id,
        actionValue(action),
        channelOf(body),
      );
  };
}
