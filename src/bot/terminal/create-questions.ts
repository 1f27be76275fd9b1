import { randomUUID } from 'node:crypto';
import { parseEventPattern } from '../../scheduling/events/event-pattern/index.js';
import { previewSchedule, type SchedulePreview } from '../../scheduling/expression/index.js';
import {
  checkParameterValues,
  type ParameterValue,
  type PipelineParameter,
  type PipelineSummary,
} from '../../scheduling/pipeline.js';
import {
  checkRoleArn,
  checkTriggerName,
  eventPatternProblem,
  MAX_TRIGGER_NAME_LENGTH,
} from '../../scheduling/trigger-rules.js';
import { type Command, commandText } from '../commands/grammar.js';
import { formatCommandError, formatPreviewText } from '../commands/preview-commands.js';
import { renderText } from '../commands/render-text.js';
import { type CommandDeps, runCommand } from '../commands/run-command.js';
import { tokenize } from '../commands/tokenize.js';

/** The two things the questions need from the chat: a way to ask, and a way to talk. */
export interface Conversation {
  /** Shows the question, then waits for the answer; undefined when the person cancelled. */
  ask(question: string): Promise<string | undefined>;
  say(...lines: string[]): void;
}

type TriggerType = 'at' | 'rate' | 'cron' | 'event';
type Read<T> = { ok: true; value: T } | { ok: false; problem: string[] };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const problem = (...lines: string[]): Read<never> => ({ ok: false, problem: lines });

class Cancelled extends Error {}

/**
 * `create` with nothing after it, in the terminal: the modal's questions one at a time, each
 * answer checked before the next question, then the equivalent one-line command and a y/N.
 * Returns the command once the person says yes; undefined when they cancel or say no (it has
 * said so already).
 */
export async function askCreate(
  chat: Conversation,
  deps: Omit<CommandDeps, 'requestId'>,
): Promise<Command | undefined> {
  try {
    return await askAll(chat, deps);
  } catch (error) {
    if (!(error instanceof Cancelled)) throw error;
    chat.say('Cancelled: nothing was created.');
    return undefined;
  }
}

async function askAll(
  chat: Conversation,
  deps: Omit<CommandDeps, 'requestId'>,
): Promise<Command | undefined> {
  chat.say(
    "Let's set it up one question at a time. Enter takes the answer in [brackets]; cancel or Ctrl-C stops.",
  );
  const type = await question(
    chat,
    'Trigger type: at (once), rate (every so often), cron (calendar times) or event (when an EventBridge event matches)? [cron]',
    readTriggerType,
  );
  const pipeline = await askPipeline(chat, deps);
  if (pipeline === undefined) return undefined;

  let expression = '';
  let timeZone = 'UTC';
  let pattern = '';
  if (type === 'event') {
    pattern = await askPattern(chat, deps);
  } else {
    const when = await askExpression(chat, type, deps);
    expression = when.expression;
    timeZone = await askTimeZone(chat, expression, deps);
  }

  const parameters = await askParameters(chat, pipeline, type === 'event', deps);
  const role = await askRole(chat, pipeline, deps);
  const name = await askName(chat, deps);

  const command: Command =
    type === 'event'
      ? {
          name: 'on-event',
          pipelines: [pipeline],
          pattern,
          options: { ...(name ? { name } : {}), ...(role ? { role } : {}) },
          parameters,
          dryRun: false,
        }
      : {
          name: 'create',
          pipeline,
          expression,
          options: {
            ...(name ? { name } : {}),
            ...(timeZone !== 'UTC' ? { timeZone } : {}),
            ...(role ? { role } : {}),
          },
          parameters,
          dryRun: false,
        };
  chat.say(
    'As one command (you can type it straight away next time):',
    `  ${commandText(command)}`,
  );
  const yes = await question(
    chat,
    `Create this ${type === 'event' ? 'rule' : 'schedule'}? (y/N)`,
    (answer) => ok(/^y(es)?$/i.test(answer)),
  );
  if (!yes) {
    chat.say('Nothing was created.');
    return undefined;
  }
  return command;
}

/** Asks until an answer reads well; each problem is shown before asking again. */
async function question<T>(
  chat: Conversation,
  text: string,
  read: (answer: string) => Read<T> | Promise<Read<T>>,
): Promise<T> {
  for (;;) {
    const answer = await chat.ask(text);
    if (answer === undefined) throw new Cancelled();
    const result = await read(answer.trim());
    if (result.ok) return result.value;
    chat.say(...result.problem);
  }
}

function readTriggerType(answer: string): Read<TriggerType> {
  if (answer === '') return ok('cron');
  const lower = answer.toLowerCase();
  const found = (['at', 'rate', 'cron', 'event'] as const).filter((t) => t.startsWith(lower));
  const [only] = found;
  if (found.length === 1 && only) return ok(only);
  if (lower === 'once') return ok('at');
  return problem('Please answer at, rate, cron or event.');
}

async function askPipeline(
  chat: Conversation,
  deps: Omit<CommandDeps, 'requestId'>,
): Promise<string | undefined> {
  const listed = await listPipelines(deps);
  if (!listed.ok) {
    chat.say(...listed.problem);
    return undefined;
  }
  const shown = listed.value.pipelines;
  if (shown.length === 0) {
    chat.say('There are no pipelines to schedule yet, so there is nothing to create.');
    return undefined;
  }
  const width = Math.max(...shown.map((p) => p.name.length));
  chat.say(
    'Pipelines you can schedule:',
    ...shown.map(
      (p, i) =>
        `  ${String(i + 1).padStart(2)}. ${p.description ? `${p.name.padEnd(width)}  ${p.description}` : p.name}`,
    ),
    ...(listed.value.more ? ['  … and more: type the first letters of the one you want'] : []),
  );
  return question(chat, 'Pipeline? (its number, its name, or the first letters of it)', (answer) =>
    resolvePipeline(answer, shown, listed.value.more, deps),
  );
}

async function resolvePipeline(
  answer: string,
  shown: PipelineSummary[],
  more: boolean,
  deps: Omit<CommandDeps, 'requestId'>,
): Promise<Read<string>> {
  if (answer === '') return problem('Which pipeline? Type its number or its name.');
  if (/^\d+$/.test(answer)) {
    const picked = shown[Number(answer) - 1];
    return picked ? ok(picked.name) : problem(`There is no number ${answer} in the list.`);
  }
  let candidates = shown;
  // Only the first page is listed: ask the back end for the rest of the names.
  if (more) {
    const found = await listPipelines(deps, answer);
    if (!found.ok) return found;
    candidates = [...shown, ...found.value.pipelines];
  }
  const lower = answer.toLowerCase();
  const exact = candidates.find((p) => p.name.toLowerCase() === lower);
  if (exact) return ok(exact.name);
  const matching = [
    ...new Set(candidates.filter((p) => p.name.toLowerCase().startsWith(lower)).map((p) => p.name)),
  ];
  const [only] = matching;
  if (matching.length === 1 && only) return ok(only);
  if (matching.length > 1)
    return problem(`"${answer}" could be ${matching.join(', ')}: type more of the name.`);
  return problem(`No pipeline starts with "${answer}".`);
}

async function listPipelines(
  deps: Omit<CommandDeps, 'requestId'>,
  prefix?: string,
): Promise<Read<{ pipelines: PipelineSummary[]; more: boolean }>> {
  const reply = await runCommand(
    { name: 'pipelines', ...(prefix ? { prefix } : {}) },
    { ...deps, requestId: randomUUID() },
  );
  if (reply.kind === 'pipelines') return ok({ pipelines: reply.pipelines, more: reply.more });
  const text = renderText(reply);
  return problem(...text.stdout, ...text.stderr);
}

const expressionHelp: Record<Exclude<TriggerType, 'event'>, string[]> = {
  at: [
    'When should it run? A date and time in the zone you pick next,',
    '  e.g. 2026-12-24T09:00:00 (or at(2026-12-24T09:00:00)).',
  ],
  rate: ['How often? e.g. 30 minutes, 6 hours or 1 day (or rate(6 hours)).'],
  cron: [
    'At which times? Six cron fields, e.g. 0 8 ? * MON-FRI * (or cron(0 8 ? * MON-FRI *)):',
    '  minutes hours day-of-month month day-of-week year; day-of-week 1 is Sunday,',
    '  and one of day-of-month and day-of-week is ?.',
  ],
};

async function askExpression(
  chat: Conversation,
  type: Exclude<TriggerType, 'event'>,
  deps: Omit<CommandDeps, 'requestId'>,
): Promise<{ expression: string; preview: SchedulePreview }> {
  chat.say(...expressionHelp[type]);
  const answer = await question(chat, 'Expression?', (text) => {
    if (text === '') return problem('Please type an expression, or cancel.');
    // People type the inside of the parentheses; the type they picked says which word goes around.
    const expression = /^(at|rate|cron)\s*\(/i.test(text) ? text : `${type}(${text})`;
    const preview = previewSchedule({ expression, now: deps.now() });
    if (!preview.ok) return problem(...formatCommandError(preview.error, expression));
    return ok({ expression, preview: preview.preview });
  });
  chat.say(...indent(formatPreviewText(answer.preview, { occurrences: true })));
  return answer;
}

async function askTimeZone(
  chat: Conversation,
  expression: string,
  deps: Omit<CommandDeps, 'requestId'>,
): Promise<string> {
  const answer = await question(
    chat,
    'Time zone? An IANA name such as Europe/Berlin or America/New_York. [UTC]',
    (text) => {
      const preview = previewSchedule({
        expression,
        timeZone: text === '' ? 'UTC' : text,
        now: deps.now(),
      });
      if (!preview.ok) return problem(...formatCommandError(preview.error, expression));
      return ok(preview.preview);
    },
  );
  // Daylight saving only shows in a zone that has it: the runs and warnings again, there.
  if (answer.timeZone !== 'UTC')
    chat.say(`In ${answer.timeZone}:`, ...indent(formatPreviewText(answer, { occurrences: true })));
  return answer.timeZone;
}

async function askPattern(chat: Conversation, deps: Omit<CommandDeps, 'requestId'>) {
  chat.say(
    'Which events? An EventBridge event pattern as one line of JSON,',
    '  e.g. {"source":["aws.s3"],"detail-type":["Object Created"]}',
    ...(deps.readFile ? ['  or @file to read it from a file.'] : []),
  );
  return question(chat, 'Event pattern?', (text) => {
    if (text === '') return problem('Please type a pattern, or cancel.');
    let json = text;
    if (text.startsWith('@') && deps.readFile) {
      try {
        json = deps.readFile(text.slice(1));
      } catch (error) {
        return problem(`Cannot read ${text.slice(1)}: ${(error as Error).message}`);
      }
    }
    const parsed = parseEventPattern(json);
    if (!parsed.ok) return problem(eventPatternProblem(parsed.error).message);
    // The stored request and the approvers see the pattern itself, compact, never a file name.
    return ok(JSON.stringify(JSON.parse(json)));
  });
}

async function askParameters(
  chat: Conversation,
  pipeline: string,
  fromEvent: boolean,
  deps: Omit<CommandDeps, 'requestId'>,
): Promise<ParameterValue[]> {
  let declared: PipelineParameter[] | undefined;
  const found = await deps.service?.pipeline(pipeline);
  if (found?.ok) declared = found.value.parameters;
  else if (found) chat.say(`(${pipeline}'s parameters could not be read: ${found.error.message})`);
  if (!declared) return askParametersFreely(chat);
  if (declared.length === 0) return [];
  chat.say(
    `${pipeline} takes ${declared.length === 1 ? 'a parameter' : 'these parameters'}; Enter keeps the default.`,
    ...(fromEvent
      ? ['  A JSON path such as $.detail.object.key takes the value from the event.']
      : []),
  );
  const values: ParameterValue[] = [];
  for (const parameter of declared) {
    const value = await question(chat, parameterQuestion(parameter), (text) =>
      readParameter(parameter, text, pipeline, fromEvent),
    );
    if (value !== undefined) values.push({ name: parameter.name, value });
  }
  return values;
}

function parameterQuestion(p: PipelineParameter): string {
  const kind = p.enumValues ? `${p.type}: ${p.enumValues.join(', ')}` : p.type;
  return `${p.name} (${kind})${p.description ? ` — ${p.description}` : ''}? ${
    p.defaultValue !== undefined ? `[${p.defaultValue}]` : '(needs a value)'
  }`;
}

/** undefined: the pipeline's default applies (nothing to pass). */
function readParameter(
  p: PipelineParameter,
  text: string,
  pipelineName: string,
  allowDynamic: boolean,
): Read<string | undefined> {
  if (text === '' || text === p.defaultValue) {
    return p.defaultValue !== undefined
      ? ok(undefined)
      : problem(`${p.name} has no default, so every run needs a value.`);
  }
  const problems = checkParameterValues([p], [{ name: p.name, value: text }], {
    pipelineName,
    allowDynamic,
  }).filter((found) => found.name === p.name);
  return problems.length > 0 ? problem(...problems.map((found) => found.message)) : ok(text);
}

/** Without the pipeline's declaration: name=value pairs, checked when the command runs. */
async function askParametersFreely(chat: Conversation): Promise<ParameterValue[]> {
  return question(
    chat,
    'Parameters? Name=value pairs separated by spaces, or Enter for the defaults.',
    (text) => {
      const tokens = tokenize(text);
      if (!tokens.ok) return problem(tokens.message);
      const values: ParameterValue[] = [];
      for (const token of tokens.tokens) {
        const pair = /^(?:param:)?([^=]+)=(.*)$/.exec(token);
        if (!pair?.[1]) return problem(`"${token}" is not Name=value.`);
        values.push({ name: pair[1], value: pair[2] ?? '' });
      }
      return ok(values);
    },
  );
}

/** The execution roles the policy allows for the pipeline, by alias; undefined: the default. */
async function askRole(
  chat: Conversation,
  pipeline: string,
  deps: Omit<CommandDeps, 'requestId'>,
): Promise<string | undefined> {
  const choices = deps.access?.roleChoices(pipeline, deps.channelId) ?? {};
  const aliases = Object.keys(choices);
  // Locally, a trigger with no role gets the stand-in role; nothing to choose.
  if (aliases.length === 0 && deps.defaultRole) return undefined;
  if (aliases.length > 0) {
    const width = Math.max(...aliases.map((a) => a.length));
    chat.say(
      `Execution roles the policy allows for ${pipeline}:`,
      ...aliases.map((a) => `  ${a.padEnd(width)}  ${choices[a]}`),
    );
  } else {
    chat.say(`The policy names no execution role for ${pipeline}: give the ARN of one.`);
  }
  const [single] = aliases;
  return question(
    chat,
    `Execution role? ${aliases.length === 1 ? `[${single}]` : aliases.length > 1 ? `(${aliases.join(', ')})` : '(arn:aws:iam::<account>:role/<name>)'}`,
    (text) => {
      if (text === '')
        return aliases.length === 1 && single
          ? ok(single)
          : problem('Which role? Type one of the names above, or a role ARN.');
      const alias = aliases.find((a) => a.toLowerCase() === text.toLowerCase());
      if (alias) return ok(alias);
      // Typed as an ARN: what is wrong with it, in the words every front end uses.
      if (text.startsWith('arn:')) {
        const wrong = checkRoleArn(text);
        return wrong ? problem(wrong.message) : ok(text);
      }
      return problem(
        `"${text}" is ${aliases.length ? `not one of ${aliases.join(', ')}, nor` : 'not'} a role ARN (arn:aws:iam::<account>:role/<name>).`,
      );
    },
  );
}

async function askName(
  chat: Conversation,
  deps: Omit<CommandDeps, 'requestId'>,
): Promise<string | undefined> {
  return question(
    chat,
    `Name? Letters, digits, - _ and . (at most ${MAX_TRIGGER_NAME_LENGTH}); Enter lets the bot pick one.`,
    async (text) => {
      if (text === '') return ok(undefined);
      const wrong = checkTriggerName(text);
      if (wrong) return problem(wrong.message);
      const existing = await deps.service?.describe(text, deps.now());
      if (existing?.ok)
        return problem(`There is already a trigger called ${text}; pick another name.`);
      return ok(text);
    },
  );
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`);
}
