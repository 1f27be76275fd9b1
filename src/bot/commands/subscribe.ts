import { type SubscribeCommand, subscriptionChange } from './subscriptions.js';

export const subscribe = subscriptionChange<SubscribeCommand>('subscribe', {
  syntax: 'subscribe <pipeline> [#channel] [failures-only]',
  summary: "post this pipeline's executions in a channel (here by default)",
  example: 'subscribe churn-train #ml-alerts failures-only',
});
