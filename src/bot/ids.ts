/**
 * Every id Slack hands back to the bot: action_ids, block_ids, callback_ids and the action ids of
 * external selects (options requests). Listeners match on these constants, never on literals.
 *
 * Button values carry only what identifies the thing acted on (a trigger name, a pipeline name,
 * `<request id>|<content hash>`), never permissions: every click is re-authorized server-side.
 */
// Shared by the external selects and the create modal's inputs: defined once.
const pipelineSelect = 'create_pipeline_select';
const timeZoneSelect = 'create_time_zone_select';

export const ids = {
  /** The slash command, as the manifest declares it. */
  command: '/pipeline-schedule',

  actions: {
    /** value: trigger name. */
    pause: 'trigger_pause',
    /** value: trigger name. */
    resume: 'trigger_resume',
    /** value: trigger name (schedules only: a rule's parameters may need an event). */
    runNow: 'trigger_run_now',
    /** value: trigger name; the button has a confirm dialog. */
    delete: 'trigger_delete',
    /** value: trigger name; answers with the `described` reply. */
    describe: 'trigger_describe',
    /** value: trigger ref; opens the create modal prefilled with the trigger, to update it. */
    edit: 'trigger_edit',
    /** value: pipeline name (the Run now button of `history`). */
    runPipeline: 'pipeline_run_now',
    /** value: `<group>/<name>` of a schedule made elsewhere; the button has a confirm dialog. */
    adopt: 'trigger_adopt',
    /** value: 'all'; the button has a confirm dialog. */
    cleanUpOrphans: 'orphans_clean_up',
    /** value: JSON `{ pipeline?, after }` (listPageValue): the next page of `list`. */
    listNextPage: 'list_next_page',
    /** value: `${request.id}|${request.contentHash}` (see parseDecisionValue). */
    approve: 'request_approve',
    /** value: `${request.id}|${request.contentHash}`; opens the reject-reason modal. */
    reject: 'request_reject',
    /** value: execution ARN; starts the pipeline again with that execution's parameters. */
    rerunExecution: 'execution_rerun',
    /** A link button (no value); Slack still sends the click. */
    openExecution: 'execution_open',
    /** No value: opens the create modal (Home tab, and the reply to a bare `create`). */
    openCreate: 'create_trigger_open',
  },

  views: {
    create: 'create_trigger',
    rejectReason: 'reject_reason',
  },

  /** Action ids of the external selects: `app.options(ids.options.pipeline, …)`. */
  options: {
    pipeline: pipelineSelect,
    timeZone: timeZoneSelect,
  },

  /** Prefixes of block ids in messages and the Home tab; a `_<n>` suffix keeps them unique. */
  blocks: {
    triggerActions: 'trigger_actions',
    requestActions: 'request_actions',
    orphanActions: 'orphan_actions',
    pipelineActions: 'pipeline_actions',
    createActions: 'create_actions',
    approvalActions: 'approval_actions',
    executionActions: 'execution_actions',
    listActions: 'list_actions',
  },

  /** The create modal's inputs: `view.state.values[block][action]`. */
  create: {
    triggerType: { block: 'create_type', action: 'create_type_choice' },
    pipeline: { block: 'create_pipeline', action: pipelineSelect },
    expression: { block: 'create_expression', action: 'create_expression_text' },
    atPicker: { block: 'create_at', action: 'create_at_picker' },
    eventPattern: { block: 'create_pattern', action: 'create_pattern_text' },
    timeZone: { block: 'create_time_zone', action: timeZoneSelect },
    start: { block: 'create_start', action: 'create_start_picker' },
    end: { block: 'create_end', action: 'create_end_picker' },
    window: { block: 'create_window', action: 'create_window_minutes' },
    role: { block: 'create_role', action: 'create_role_select' },
    name: { block: 'create_name', action: 'create_name_text' },
    /** The one multiline `Name=value` input used when there are too many parameters. */
    parameters: { block: 'create_parameters', action: 'create_parameters_text' },
    /** One input per parameter: block id `create_param_<index>`, action id = the parameter name. */
    parameterBlockPrefix: 'create_param_',
    /** Inputs whose change should rebuild the modal (views.update): they set dispatch_action. */
    reloads: [
      'create_type_choice',
      pipelineSelect,
      'create_expression_text',
      'create_at_picker',
      timeZoneSelect,
      'create_start_picker',
      'create_end_picker',
    ],
  },

  rejectReason: { block: 'reject_reason_block', action: 'reject_reason_text' },
} as const;
