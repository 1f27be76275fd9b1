import type { ApprovalRequest } from '../../auth/approval-store.js';
import type { StoredAuditEntry } from '../../auth/audit.js';
import type { StartedBy } from '../../scheduling/attribution.js';
import type { SchedulePreview, ScheduleWarning } from '../../scheduling/expression/index.js';
import type { PipelineSummary } from '../../scheduling/pipeline.js';
import type { BackendRequest } from '../../scheduling/ports.js';
import type {
  Orphan,
  TriggerDescription,
  TriggerListItem,
  TriggerUpdate,
} from '../../scheduling/scheduling-service.js';
import type { Tick } from '../../scheduling/ticks.js';
import type { FieldChange } from '../../scheduling/trigger-changes.js';
import type { ExecutionSummary, RuleRecord, ScheduleRecord } from '../../scheduling/triggers.js';
import type { Decision } from '../views/approval-message.js';

/**
 * What a command answers, as data. Each front end renders it its own way: plain text for the
 * CLI and terminal chat, Block Kit for Slack.
 */
export type Reply =
  | { kind: 'help'; topic?: string }
  | {
      kind: 'error';
      message: string;
      usage?: string;
      field?: string;
      excerpt?: string[];
      exitCode: 1 | 2;
    }
  | {
      kind: 'preview';
      preview: SchedulePreview;
      runsOnly: boolean;
      /** Instants in UTC (`Z`) rather than with the schedule zone's offset. */
      utc?: boolean;
      /** Machine-readable (`--json`). */
      json?: boolean;
    }
  | { kind: 'schedule-created'; schedule: ScheduleRecord; preview?: SchedulePreview }
  | { kind: 'rule-created'; rule: RuleRecord; warnings?: ScheduleWarning[] }
  | { kind: 'dry-run'; requests: BackendRequest[]; warnings?: ScheduleWarning[] }
  | { kind: 'described'; description: TriggerDescription; now: Date; json?: true }
  | {
      kind: 'list';
      items: TriggerListItem[];
      filter?: string;
      more: boolean;
      /** Where the next page starts, when there is one. */
      nextToken?: string;
      json?: true;
    }
  | { kind: 'changed'; action: 'paused' | 'resumed' | 'deleted'; item: TriggerListItem }
  | {
      kind: 'confirm-delete';
      ref: string;
      what: 'schedule' | 'rule';
      pipelines: string[];
      /** When it runs, in words: what stops if it goes. */
      summary: string;
    }
  | {
      kind: 'trigger-updated';
      /** Before and after, what changed; with `dryRun` and the requests when nothing was sent. */
      update: TriggerUpdate;
      /** A schedule's next runs before and after the change, each in its zone. */
      runs?: RunsBeforeAndAfter;
      warnings?: ScheduleWarning[];
    }
  | {
      kind: 'adopted';
      from: TriggerListItem;
      schedule: ScheduleRecord;
      warnings?: ScheduleWarning[];
    }
  | { kind: 'started'; pipeline: string; executionArn: string }
  | { kind: 'ticks'; ref: string; ticks: Tick[] }
  | {
      kind: 'history';
      pipeline: string;
      executions: Array<ExecutionSummary & { startedBy: StartedBy }>;
      json?: true;
    }
  | { kind: 'orphans'; orphans: Orphan[]; cleaned: boolean }
  | { kind: 'pipelines'; pipelines: PipelineSummary[]; more: boolean }
  | { kind: 'pattern-result'; matches: boolean }
  | {
      kind: 'event-published';
      id: string;
      source: string;
      detailType: string;
      /** The bus had this event id already: nothing ran again. */
      duplicate?: boolean;
    }
  | { kind: 'interactive-needed' }
  | {
      kind: 'approval-requested';
      request: ApprovalRequest;
      approvalChannel?: string;
      /** An update: the diff the check before storing the request found, as approvers see it. */
      change?: PlannedChange;
    }
  | { kind: 'approvals'; pending: Array<{ request: ApprovalRequest; approvals: number }> }
  | { kind: 'approval-recorded'; request: ApprovalRequest; approvals: number; required: number }
  | {
      kind: 'approval-decided';
      request: ApprovalRequest;
      /** The outcome as one sentence, for text front ends. */
      summary: string;
      /** Who decided what, for the approval message (the decider's mention stays live). */
      decision?: Decision;
    }
  | { kind: 'audit'; entries: StoredAuditEntry[]; pipeline?: string }
  | { kind: 'subscribed'; pipeline: string; channel: string; failuresOnly: boolean }
  | { kind: 'unsubscribed'; pipeline: string; channel: string; existed: boolean };

/** A schedule's next runs before and after a change, each in its zone. */
export interface RunsBeforeAndAfter {
  before: Date[];
  after: Date[];
  timeZone: string;
  afterZone: string;
}

/** What an update would change, and a schedule's next runs before and after. */
export interface PlannedChange {
  changes: FieldChange[];
  runs?: RunsBeforeAndAfter;
}
