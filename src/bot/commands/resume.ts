import { triggerChange } from './trigger-change.js';

export const resume = triggerChange('resume', {
  syntax: 'resume <name> [--dry-run]',
  summary: 'let a paused schedule or rule fire again',
  example: 'resume churn-weekdays',
});
