import type { ActionArgs } from '../types.js';

/** A link button: Slack opens the URL; the click still needs an answer. */
export function openExecution() {
  return async ({ ack }: ActionArgs) => {
    await ack();
  };
}
