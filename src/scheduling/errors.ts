/**
 * What can go wrong with a trigger, in our terms. Adapters turn AWS (or local) failures into
 * these; the service returns them as values; front ends map each code to a short reply.
 */
export type TriggerErrorCode =
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'VALIDATION'
  | 'THROTTLED'
  | 'ACCESS_DENIED'
  | 'LIMIT_EXCEEDED'
  | 'CONFLICT'
  | 'UNAVAILABLE';

export class TriggerError extends Error {
  constructor(
    readonly code: TriggerErrorCode,
    message: string,
    /** What an operator needs to find the cause: the AWS request id, the operation, the resource. */
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'TriggerError';
  }
}

export function isTriggerError(error: unknown, code?: TriggerErrorCode): error is TriggerError {
  return error instanceof TriggerError && (code === undefined || error.code === code);
}
