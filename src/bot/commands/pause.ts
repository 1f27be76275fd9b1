import { triggerChange } from './trigger-change.js';

export const pause = triggerChange('pause', {
  syntax: 'pause <name> [--dry-run]',
  summary: 'stop a schedule or rule from firing, keeping it',
  example: 'pause churn-weekdays',
});
