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
const CURLY_QUOTES = /[“”‘’]/g;

export function tokenize(input: string): TokenizeResult {
  // Positions, not a marker character: whatever a person types stays what it is.
  const inWord = new Set([...input.matchAll(IN_WORD_APOSTROPHE)].map((match) => match.index));
  // Each curly quote is one UTF-16 unit, like the straight one it stands for: positions hold.
  const text = input.replace(CURLY_QUOTES, (ch, at: number) =>
    inWord.has(at) ? ch : ch === '“' || ch === '”' ? '"' : "'",
  );
  return splitTokens(text, inWord);
}

function splitTokens(text: string, inWord: ReadonlySet<number>): TokenizeResult {
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
      const quote = !inWord.has(i) && (ch === '"' || (ch === "'" && stack.length === 0));
      if (quote && canOpen) {
        // A quoted run: inside JSON keep the quotes, around a plain value drop them.
        const end = findQuoteEnd(text, i, inWord);
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

function findQuoteEnd(text: string, start: number, inWord: ReadonlySet<number>): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === quote && !inWord.has(i)) return i;
  }
  return -1;
}

function unquote(value: string, quote: string): string {
  return value.replaceAll(`\\${quote}`, quote).replaceAll('\\\\', '\\');
}
