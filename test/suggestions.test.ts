import { afterEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../src/bot/commands/grammar.js';
import { type RuntimeHarness, startRuntime } from './support/runtime-harness.js';

/**
 * A typo gets the closest thing that exists: a command, an option, a pipeline, a time zone, a
 * trigger — typed as in the terminal (Slack's slash command parses the same text).
 */
let h: RuntimeHarness;
afterEach(async () => {
  await h.close();
});

describe('did you mean', () => {
  it('names the closest command, option, pipeline, zone and trigger', async () => {
    h = await startRuntime({});
    const typo = (text: string) => {
      const parsed = parseCommand(text);
      return parsed.ok ? 'parsed' : parsed.message;
    };
    expect(typo('lsit')).toBe('unknown command "lsit" (did you mean list?)');
    expect(typo("next 'rate(1 day)' tzz=UTC")).toMatch(
      /^next has no option tzz= \(did you mean tz=\?\)/,
    );
    expect(await h.say("create churn-tran 'rate(1 day)'")).toMatch(
      /pipeline churn-tran does not exist \(did you mean churn-train\?\)/,
    );
    expect(await h.say("next 'cron(0 8 * * ? *)' tz=Asia/Tokio")).toMatch(
      /"Asia\/Tokio" is not an IANA time zone \(did you mean Asia\/Tokyo\?\)/,
    );
    expect(await h.say("next 'cron(0 8 * * ? *)' tz=Tokio")).toMatch(/did you mean Asia\/Tokyo\?/);
    await h.say("create churn-train 'rate(1 day)' name=churn-daily");
    expect(await h.say('describe churn-dialy')).toMatch(
      /no schedule or rule named churn-dialy \(did you mean churn-daily\?\)/,
    );
    // Nothing close: no guess.
    expect(await h.say('describe zzzzzzzz')).not.toMatch(/did you mean/);
  });

  it('reads the words people reach for as the option they mean', async () => {
    h = await startRuntime({});
    expect(
      await h.say(
        "next 'cron(0 8 * * ? *)' timezone=Europe/Berlin count=1 from=2026-12-01T00:00:00Z",
      ),
    ).toBe(
      await h.say("next 'cron(0 8 * * ? *)' tz=Europe/Berlin count=1 from=2026-12-01T00:00:00Z"),
    );
  });
});
