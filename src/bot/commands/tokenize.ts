/**
 * Splits a command line the way people type it in Slack or a terminal: words separated by
 * spaces, but `cron(0 8 ? * MON-FRI *)`, a JSON pattern `{"source": ["aws.s3"]}` and quoted
 * values stay whole. Slack's curly quotes count as quotes where a quote can be: one opens a
 * token or a `key=` value, and the same kind closes it. An apostrophe between two letters
 * (Bob’s, it's) is a letter, whichever way it is written.
 */
export type TokenizeResult = { ok: true; tokens: string[] } | { ok: false; message: string };

const OPEN_TO_CLOSE: Record<string, string> = { '(': ')', '{': '}', '[': ']' };

/** An apostrophe inside a word: kept as typed, never a quote. */
const IN_WORD_APOSTROPHE = /(?<=\p{L})['‘’](?=\p{L})/gu;
const APOSTROPHE_MARK = '\u{F0000}';

export function tokenize(input: string): TokenizeResult {
  const apostrophes: string[] = [];
  const text = input
    .replace(IN_WORD_APOSTROPHE, (ch) => {
      apostrophes.push(ch);
      return APOSTROPHE_MARK;
    })
    .replace(/[“”]/g, '"')
    .replace(/[‘’]/g, "'");
  const result = splitTokens(text);
  if (!result.ok || apostrophes.length === 0) return result;
  let next = 0;
  const restore = (token: string) =>
    token.replaceAll(APOSTROPHE_MARK, () => apostrophes[next++] ?? "'");
  return { ok: true, tokens: result.tokens.map(restore) };
}

function splitTokens(text: string): TokenizeResult {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    if (i >= text.length) break;
    let token = '';
    const stack: string[] = [];
    while (i < text.length) {
      const ch = text[i] ?? '';
      if (stack.length === 0 && /\s/.test(ch)) break;
      // A quote opens a token or a key= value; elsewhere (5'10) it is a character.
      const canOpen = token === '' || token.endsWith('=') || stack.length > 0;
      if ((ch === '"' || (ch === "'" && stack.length === 0)) && canOpen) {
        // A quoted run: inside JSON keep the quotes, around a plain value drop them.
        const end = findQuoteEnd(text, i);
        if (end === -1) return { ok: false, message: `a ${ch} quote is not closed` };
        token += stack.length > 0 ? text.slice(i, end + 1) : unquote(text.slice(i + 1, end), ch);
        i = end + 1;
        continue;
      }
      if (OPEN_TO_CLOSE[ch]) stack.push(OPEN_TO_CLOSE[ch] ?? '');
      else if (stack.length > 0 && ch === stack[stack.length - 1]) stack.pop();
      token += ch;
      i++;
    }
    if (stack.length > 0)
      return {
        ok: false,
        message: `"${token.slice(0, 40)}…" is missing a closing ${stack.reverse().join('')}`,
      };
    tokens.push(token);
  }
  return { ok: true, tokens };
}

function findQuoteEnd(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === quote) return i;
  }
  return -1;
}

function unquote(value: string, quote: string): string {
  return value.replaceAll(`\\${quote}`, quote).replaceAll('\\\\', '\\');
}
