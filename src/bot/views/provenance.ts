import type { StartedBy } from '../../scheduling/attribution.js';
import type { Provenance } from '../../scheduling/provenance.js';
import type { Orphan } from '../../scheduling/scheduling-service.js';
import type { Tick } from '../../scheduling/ticks.js';
import { ids } from '../ids.js';
import { channel, code, esc, person, wallParts } from './kit.js';

/**
 * How the bot says who made a trigger, where it lives and what a clean-up does to an orphan:
 * one wording for Slack and for the terminal, so the two never tell different stories.
 */

/** Slack mrkdwn (AWS text escaped once, people and channels as mentions), or plain text. */
export type Surface = 'slack' | 'text';

interface Voice {
  /** Free text, such as why the bot thinks the SDK made a schedule. */
  words(text: string): string;
  /** A name or id to show as it is: a stack, a target id, a request id. */
  literal(text: string): string;
  user(id: string): string;
  channel(id: string): string;
  /** A command to type, as the surface takes it (in Slack, after the slash command). */
  command(text: string): string;
}

const same = (text: string) => text;

const VOICES: Record<Surface, Voice> = {
  slack: {
    words: esc,
    literal: code,
    user: person,
    channel,
    command: (text) => code(`${ids.command} ${text}`),
  },
  text: { words: same, literal: same, user: same, channel: same, command: same },
};

export interface ProvenanceOptions {
  surface: Surface;
  /** For a list row: who, without the request's details or the reasons of an inference. */
  short?: boolean;
}

/** Who made a trigger, as a phrase that starts in lower case ("made here by …"). */
export function provenanceText(
  p: Provenance,
  { surface, short = false }: ProvenanceOptions,
): string {
  const say = VOICES[surface];
  switch (p.source) {
    case 'bot': {
      const made = p.requestedBy ? `made here by ${say.user(p.requestedBy)}` : 'made here';
      if (short) return made;
      const details = [
        ...(p.approvedBy?.length ? [`approved by ${p.approvedBy.map(say.user).join(', ')}`] : []),
        ...(p.requestId ? [`request ${say.literal(p.requestId)}`] : []),
        ...(p.channelId ? [`in ${say.channel(p.channelId)}`] : []),
      ];
      return details.length ? `${made} (${details.join(', ')})` : made;
    }
    case 'sagemaker-sdk':
      // Nothing on a schedule names its maker: this is read from its shape, and says so.
      return short
        ? 'made with the SageMaker Python SDK (inferred from its shape)'
        : `made with the SageMaker Python SDK (inferred from its shape: ${say.words(p.inferredFrom)})`;
    case 'cloudformation':
      return `made by CloudFormation stack ${say.literal(p.stack)}`;
    case 'aws-service':
      return `managed by ${say.literal(p.managedBy)}`;
    case 'elsewhere':
      return 'made outside the bot';
  }
}

/** What a trigger is and where it lives: "schedule in group x", "rule on event bus y". */
export function placeText(kind: 'schedule' | 'event', place: string, surface: Surface): string {
  const where = VOICES[surface].literal(place);
  return kind === 'schedule' ? `schedule in group ${where}` : `rule on event bus ${where}`;
}

/**
 * Who made a trigger, for a row of a list. The bot's own are the list's usual case and the
 * terminal's list is a table people read by column, so there only the others are marked.
 */
export function provenanceTag(p: Provenance, surface: Surface): string {
  if (surface === 'text' && p.source === 'bot') return '';
  return provenanceText(p, { surface, short: true });
}

/** "and 2 other targets": the targets of a rule that are not pipelines; empty when none. */
export function otherTargetsText(count: number, { left = false } = {}): string {
  if (count <= 0) return '';
  return `and ${plural(count, 'other target')}${left ? ' (not pipelines, left alone)' : ''}`;
}

/** "pipeline x is gone" / "pipelines x, y are gone". */
export function missingText(pipelines: string[], surface: Surface): string {
  const names = pipelines.map(VOICES[surface].words).join(', ');
  return pipelines.length === 1 ? `pipeline ${names} is gone` : `pipelines ${names} are gone`;
}

/**
 * Exactly what `orphans clean` does to an orphan, or (once `done`) did. A rule loses only its
 * dead targets; an emptied rule the bot did not make is kept, since its owner may still want it.
 */
export function cleanUpText(orphan: Orphan, surface: Surface, { done = false } = {}): string {
  const say = VOICES[surface];
  const verb = (future: string, past: string) => (done ? past : future);
  if (orphan.cleanUp === 'delete-schedule')
    return `clean-up ${verb('deletes', 'deleted')} schedule ${say.literal(`${orphan.place}/${orphan.name}`)}`;
  if (orphan.cleanUp === 'delete-rule') {
    const rest =
      orphan.targetsLeft > 0
        ? `with its ${plural(orphan.targetsLeft, 'other target')}`
        : `(nothing ${verb('would be', 'was')} left in it)`;
    return `clean-up ${verb('deletes', 'deleted')} rule ${say.literal(orphan.ref)} ${rest}`;
  }
  const ids = orphan.deadTargets.map((t) => say.literal(t.id)).join(', ');
  const gone = missingText([...new Set(orphan.deadTargets.map((t) => t.pipelineName))], surface);
  const removed = `clean-up ${verb('removes', 'removed')} ${orphan.deadTargets.length === 1 ? 'target' : 'targets'} ${ids} (${gone})`;
  if (orphan.targetsLeft > 0)
    return `${removed} and ${verb('keeps', 'kept')} the rule with its ${plural(orphan.targetsLeft, 'other target')}`;
  if (orphan.provenance.source !== 'bot')
    return `${removed} and ${verb('keeps', 'kept')} the empty rule: it was made outside the bot; ${say.command(`orphans clean delete-rule ${orphan.ref}`)} deletes it`;
  return `${removed} and ${verb('keeps', 'kept')} the empty rule`;
}

/** What is gone and what clean-up does about it; a removal of targets names the pipeline itself. */
export function orphanSummary(orphan: Orphan, surface: Surface, { done = false } = {}): string {
  const cleanUp = cleanUpText(orphan, surface, { done });
  return orphan.cleanUp === 'remove-targets'
    ? cleanUp
    : `${missingText(orphan.missingPipelines, surface)}; ${cleanUp}`;
}

/** What one Clean up removes, counted by kind, for the button's confirm dialog. */
export function cleanUpPlan(orphans: Orphan[]) {
  const removals = orphans.filter((o) => o.cleanUp === 'remove-targets');
  return {
    schedules: orphans.filter((o) => o.cleanUp === 'delete-schedule').length,
    rules: orphans.filter((o) => o.cleanUp === 'delete-rule').length,
    targets: {
      count: removals.reduce((sum, o) => sum + o.deadTargets.length, 0),
      rules: removals.length,
    },
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "the 08:00 Europe/Berlin run of 2 Dec": an occurrence as people name it, in its zone. */
export function occurrenceText(iso: string, timeZone: string): string {
  const parts = wallParts(new Date(iso), timeZone);
  if (!parts) return `the run of ${iso}`;
  return `the ${parts.hour}:${parts.minute} ${timeZone} run of ${Number(parts.day)} ${MONTHS[Number(parts.month) - 1]}`;
}

/** What started an execution, as a phrase that starts in lower case ("started by …"). */
export function startedByText(s: StartedBy, surface: Surface): string {
  const say = VOICES[surface];
  switch (s.kind) {
    case 'run': {
      const who = s.userId ? `started by ${say.user(s.userId)} with Run now` : 'started by the bot';
      const details = [
        `request ${say.literal(s.requestId)}`,
        ...(s.approvedBy?.length ? [`approved by ${s.approvedBy.map(say.user).join(', ')}`] : []),
        ...(s.channelId ? [`in ${say.channel(s.channelId)}`] : []),
      ];
      return `${who} (${details.join(', ')})`;
    }
    case 'schedule': {
      const by = `started by schedule ${say.literal(s.ref)}, ${occurrenceText(s.occurrence, s.timeZone)}`;
      return `${s.likely ? 'likely ' : ''}${by}${s.late ? ', late (a retry)' : ''}`;
    }
    case 'rule':
      return `likely started by rule ${say.literal(s.ref)}${s.occurrence ? `, ${occurrenceText(s.occurrence, 'UTC')}` : ''}`;
    case 'unknown':
      return 'what started it could not be told: AWS did not answer when asked';
    case 'outside':
      return s.identity
        ? `started outside the bot, by ${say.literal(s.identity)}`
        : 'started outside the bot';
  }
}

/** One run of a schedule and what became of it: "the 08:00 UTC run of 2 Dec: missed — why". */
export function tickText(t: Tick, surface: Surface): string {
  const say = VOICES[surface];
  const run = occurrenceText(t.occurrence.toISOString(), t.timeZone);
  const execution = t.executionArn
    ? ` (execution ${say.literal(t.executionArn.split('/').at(-1) ?? t.executionArn)})`
    : '';
  if (t.byEvent) {
    const parts = wallParts(t.occurrence, 'UTC');
    const at = parts
      ? `${parts.hour}:${parts.minute} UTC ${Number(parts.day)} ${MONTHS[Number(parts.month) - 1]}`
      : t.occurrence.toISOString();
    return `${at}: a matched event started ${say.literal(t.pipelineName)}${execution}`;
  }
  switch (t.outcome) {
    case 'started':
      return `${run}: started${execution}`;
    case 'late':
      return `${run}: started late, by a retry${execution}`;
    case 'missed':
      return `${run}: missed — ${say.words(t.reason ?? 'no execution started')}`;
    case 'skipped':
      if (t.through && t.runs && t.runs > 1)
        return `${t.runs.toLocaleString('en-US')} runs, ${run} through ${occurrenceText(t.through.toISOString(), t.timeZone)}: skipped — ${say.words(t.reason ?? 'not due')}`;
      // A wall time daylight saving removed is named as the schedule says it, not as an instant.
      return `${t.wallTime ? skippedRunText(t.wallTime, t.timeZone) : run}: skipped — ${say.words(t.reason ?? 'not due')}`;
  }
}

function skippedRunText(wall: string, timeZone: string): string {
  const p = wallPartsOf(wall);
  if (!p) return `the ${wall} ${timeZone} run`;
  return `the ${p.hour}:${p.minute} ${timeZone} run of ${Number(p.day)} ${MONTHS[Number(p.month) - 1]}`;
}

/** The parts of a wall time written `YYYY-MM-DD HH:MM`. */
function wallPartsOf(wall: string) {
  const m = /^\d{4}-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(wall);
  return m
    ? { month: m[1] ?? '', day: m[2] ?? '', hour: m[3] ?? '', minute: m[4] ?? '' }
    : undefined;
}

/** A run in a few words, for a row with little room (App Home): "08:00 2 Dec missed". */
export function tickBrief(t: Tick): string {
  const parts = t.wallTime ? wallPartsOf(t.wallTime) : wallParts(t.occurrence, t.timeZone);
  const at = parts
    ? `${parts.hour}:${parts.minute} ${Number(parts.day)} ${MONTHS[Number(parts.month) - 1]}`
    : t.occurrence.toISOString();
  const outcome = {
    started: 'started',
    late: 'started late',
    missed: 'missed',
    skipped: 'skipped',
  }[t.outcome];
  return `${t.outcome === 'missed' ? ':warning: ' : ''}${at} ${outcome}`;
}
