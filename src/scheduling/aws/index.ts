export { type AwsCall, type AwsService, callAws, toTriggerError } from './aws-errors.js';
export { type AwsBackendOptions, createAwsBackend } from './backend.js';
export { AwsPipelines } from './pipelines.js';
export { AwsRules } from './rules.js';
export { AwsSchedules } from './schedules.js';
