import { pipelineOption } from '../../../views/create-modal-inputs.js';
import type { CreateModalFlow } from '../../create-modal-flow.js';
import { channelOf } from '../../support.js';
import type { OptionsArgs } from '../types.js';

/** The modal's pipeline search: any part of the name, only pipelines the person may see. */
export function pipelineOptions(modal: CreateModalFlow) {
  return async ({ ack, options, body }: OptionsArgs) => {
    const found = await modal.pipelineOptions(body.user.id, channelOf(body), options.value ?? '');
    await ack({ options: found.map((p) => pipelineOption(p.name, p.description)) });
  };
}
