import { TriggerError, type TriggerErrorCode } from '../errors.js';
import { noSchedulingMetrics, type SchedulingMetrics } from '../metrics.js';

/**
 * The one place where AWS SDK errors become TriggerErrors. Adapters describe each call (service,
 * operation, resource) so the message can say what failed in people's words and the context
 * keeps what an operator needs: the operation, the resource and AWS's request id.
 */

/** IAM service prefixes, which are also the SigV4 signing names. */
export type AwsService = 'scheduler' | 'events' | 'sagemaker' | 'sqs';

export type ResourceKind =
  | 'schedule'
  | 'schedule group'
  | 'rule'
  | 'pipeline'
  | 'pipeline execution'
  | 'queue'
  | 'connection'
  | 'api destination';

export interface AwsCall {
  service: AwsService;
  /** The API operation, as IAM names the action: `CreateSchedule`. */
  operation: string;
  resource: { kind: ResourceKind; name: string; group?: string };
  /** The execution role the call hands to AWS, named in the iam:PassRole hint. */
  roleArn?: string;
  /** Replaces the default not-found message, when the missing thing is not the resource. */
  notFoundMessage?: string;
}

const serviceLabels: Record<AwsService, string> = {
  scheduler: 'EventBridge Scheduler',
  events: 'EventBridge',
  sagemaker: 'SageMaker',
  sqs: 'Amazon SQS',
};

const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'ResourceNotFound',
  // SQS, by its JSON error type and by the query-compatible code the client may name it by.
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
]);
const VALIDATION = new Set([
  'ValidationException',
  'InvalidEventPatternException',
  // EventBridge: the rule belongs to an AWS service, so the bot may not change it.
  'ManagedRuleException',
]);
const THROTTLED = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ThrottledException',
  'RequestLimitExceeded',
]);
const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied']);
// The credentials themselves were refused: an operator has to fix the deployment.
const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
]);
const LIMIT_EXCEEDED = new Set([
  'ServiceQuotaExceededException',
  'LimitExceededException',
  'ResourceLimitExceeded',
]);
const CONFLICT = new Set(['ConflictException', 'ConcurrentModificationException']);

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
}

/**
 * Runs one SDK call and turns whatever it throws into a TriggerError, counting the AWS error
 * (a TriggerError the adapter threw itself, such as failed batch entries, is not an SDK error).
 */
export async function callAws<T>(
  call: AwsCall,
  send: () => Promise<T>,
  metrics: SchedulingMetrics = noSchedulingMetrics,
): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof TriggerError) throw error;
    const mapped = toTriggerError(error, call);
    metrics.awsCallFailed(call.service, mapped.code);
    throw mapped;
  }
}

/** Maps an error thrown by an AWS SDK v3 client (or a failed batch entry) to a TriggerError. */
export function toTriggerError(error: unknown, call: AwsCall): TriggerError {
  if (error instanceof TriggerError) return error;
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? error : {};
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const awsMessage = typeof shape.message === 'string' ? shape.message : String(error);
  const status = shape.$metadata?.httpStatusCode;
  const requestId = shape.$metadata?.requestId;
  const code = classify(name, status, call.operation);
  const context = {
    service: call.service,
    operation: call.operation,
    resource: describeResource(call.resource),
    requestId,
    awsError: name,
    httpStatusCode: status,
    attempts: shape.$metadata?.attempts,
  };
  return new TriggerError(code, messageFor(code, call, { name, awsMessage, status, requestId }), {
    ...context,
    ...(code === 'VALIDATION' ? {} : { awsMessage }),
  });
}

function classify(name: string, status: number | undefined, operation: string): TriggerErrorCode {
  if (NOT_FOUND.has(name)) return 'NOT_FOUND';
  if (name === 'ConflictException' && operation.startsWith('Create')) return 'ALREADY_EXISTS';
  if (CONFLICT.has(name)) return 'CONFLICT';
  if (VALIDATION.has(name)) return 'VALIDATION';
  if (THROTTLED.has(name) || status === 429) return 'THROTTLED';
  if (ACCESS_DENIED.has(name) || BAD_CREDENTIALS.has(name)) return 'ACCESS_DENIED';
  if (LIMIT_EXCEEDED.has(name) || status === 402) return 'LIMIT_EXCEEDED';
  return 'UNAVAILABLE';
}

interface Details {
  name: string;
  awsMessage: string;
  status: number | undefined;
  requestId: string | undefined;
}

function messageFor(code: TriggerErrorCode, call: AwsCall, details: Details): string {
  const { kind, name, group } = call.resource;
  const where = group ? (kind === 'rule' ? ` on event bus ${group}` : ` in group ${group}`) : '';
  const service = serviceLabels[call.service];
  switch (code) {
    case 'NOT_FOUND':
      return call.notFoundMessage ?? `${kind} ${name} was not found${where}`;
    case 'ALREADY_EXISTS':
      return `a ${kind} named ${name} already exists${where}`;
    case 'CONFLICT':
      return details.name === 'ConflictException'
        ? `${kind} ${name} is in a state that does not allow ${call.operation}: ${details.awsMessage}`
        : `${kind} ${name} is being changed by another request; try again`;
    case 'VALIDATION':
      // AWS's own words say exactly which field it refused.
      return details.awsMessage || `${service} refused the ${kind} ${name} (${details.name})`;
    case 'THROTTLED':
      return 'AWS is throttling requests; try again in a minute';
    case 'ACCESS_DENIED':
      return accessDeniedMessage(call, details);
    case 'LIMIT_EXCEEDED':
      return `${service} limit reached for ${kind} ${name}: ${details.awsMessage}`;
    default:
      return unavailableMessage(call, details);
  }
}

function accessDeniedMessage(call: AwsCall, details: Details): string {
  if (BAD_CREDENTIALS.has(details.name)) {
    return `AWS refused the bot's credentials (${details.name}); check the AWS credentials the bot runs with`;
  }
  const action = `${call.service}:${call.operation}`;
  // A create or update is refused when the bot may not hand the execution role to the service.
  if (/PassRole/i.test(details.awsMessage)) {
    const role = call.roleArn ? ` on ${call.roleArn}` : '';
    return (
      `the bot's IAM role is not allowed iam:PassRole${role}, which ${action} needs; ` +
      `allow iam:PassRole with iam:PassedToService ${call.service}.amazonaws.com`
    );
  }
  // AWS names the action it refused; it can differ from the call's (kms:Decrypt, for one).
  const named = /not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9]+)/.exec(details.awsMessage);
  return `the bot's IAM role is not allowed ${named?.[1] ?? action}`;
}

function unavailableMessage(call: AwsCall, details: Details): string {
  const service = serviceLabels[call.service];
  if (details.status === undefined) {
    // No HTTP answer at all: network, endpoint, region or credential resolution.
    return `could not reach ${service} for ${call.operation}: ${details.awsMessage}`;
  }
  const ref = details.requestId ? `; ref ${details.requestId}` : '';
  return `${service} failed ${call.operation} (${details.name}, HTTP ${details.status})${ref}`;
}

function describeResource(resource: AwsCall['resource']): string {
  return resource.group
    ? `${resource.kind} ${resource.group}/${resource.name}`
    : `${resource.kind} ${resource.name}`;
}

export interface FailedEntry {
  TargetId?: string | undefined;
  ErrorCode?: string | undefined;
  ErrorMessage?: string | undefined;
}

/**
 * PutTargets and RemoveTargets answer 200 even when entries fail; the failures arrive as
 * entries. Classifies the first one like a thrown error and lists them all in the context.
 */
export function failedEntriesError(
  entries: FailedEntry[],
  call: AwsCall,
  requestId: string | undefined,
): TriggerError {
  const first = entries[0] ?? {};
  const name = first.ErrorCode ?? 'UnknownError';
  const reason = `${first.ErrorMessage ?? 'no reason given'} (${name})`;
  const code = classify(name, undefined, call.operation);
  const target = `target ${first.TargetId ?? '?'} of ${call.resource.kind} ${call.resource.name}`;
  const message =
    code === 'VALIDATION' || code === 'UNAVAILABLE'
      ? `${serviceLabels[call.service]} refused ${target}: ${reason}`
      : messageFor(code, call, { name, awsMessage: reason, status: undefined, requestId });
  return new TriggerError(code, message, {
    service: call.service,
    operation: call.operation,
    resource: describeResource(call.resource),
    requestId,
    awsError: name,
    failedEntries: entries.map((e) => ({
      targetId: e.TargetId,
      errorCode: e.ErrorCode,
      errorMessage: e.ErrorMessage,
    })),
  });
}
