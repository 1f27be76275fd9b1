import type { CreateModalFlow } from '../../create-modal-flow.js';
import type { ActionArgs } from '../types.js';

/** "Create a trigger" on the Home tab and on the reply to a bare `create`. */
export function openCreate(modal: CreateModalFlow) {
  return async ({ ack, body, client }: ActionArgs) => {
    await ack();
    if (body.trigger_id) await modal.open(client, body.trigger_id, body.user.id);
  };
}
