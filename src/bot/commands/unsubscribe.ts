import { subscriptionChange, type UnsubscribeCommand } from './subscriptions.js';

export const unsubscribe = subscriptionChange<UnsubscribeCommand>('unsubscribe', {
  syntax: 'unsubscribe <pipeline> [#channel]',
  summary: 'stop posting them there',
  example: 'unsubscribe churn-train #ml-alerts',
});
