import { triggerChange } from './trigger-change.js';

export const deleteTrigger = triggerChange('delete', {
  syntax: 'delete <name> [--yes] [--dry-run]',
  summary: 'remove a schedule or rule; asks first (a Delete button in Slack) unless --yes',
  example: 'delete churn-weekdays --yes',
});
