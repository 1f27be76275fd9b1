import type { CreateModalFlow } from '../../create-modal-flow.js';
import type { ActionArgs } from '../types.js';

/** A field of the open create modal changed: the modal is rebuilt in place. */
export function createModalChanged(modal: CreateModalFlow) {
  return async ({ ack, body, client }: ActionArgs) => {
    await ack();
    if (body.view) await modal.rebuild(client, body.view, body.user.id);
  };
}
