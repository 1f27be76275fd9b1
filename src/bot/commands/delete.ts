import { triggerChange } from './trigger-change.js';

export const deleteTrigger = triggerChange('delete', {
  syntax: 'delete <name> [--dry-run]',
  summary: 'remove a schedule or rule',
  example: 'delete churn-weekdays',
});
