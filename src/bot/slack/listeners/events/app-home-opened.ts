import type { SlackContext } from '../../context.js';
import { homeFor } from '../../home.js';
import type { HomeOpenedArgs } from '../types.js';

/** The Home tab, built fresh for the person each time they open it. */
export function appHomeOpened(ctx: SlackContext) {
  return async ({ event, client }: HomeOpenedArgs) => {
    if (event.tab !== 'home') return;
    await client.views.publish({
      user_id: event.user,
      view: await homeFor(ctx.runtime, event.user),
    });
  };
}
