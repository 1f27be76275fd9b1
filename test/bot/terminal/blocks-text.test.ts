import { describe, expect, it } from 'vitest';
import { ConfiguredIdentities } from '../../../src/auth/identity.js';
import { TerminalPoster } from '../../../src/bot/slack/posters.js';
import { messageLines, mrkdwnText, summaryLine } from '../../../src/bot/terminal/blocks-text.js';
import { executionMessage } from '../../../src/bot/views/execution-message.js';
import { loadConfig } from '../../../src/config.js';

/** What the terminal prints of a Slack message: its content, as text a terminal shows. */

const running = executionMessage({
  executionArn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-train/execution/x1',
  pipelineArn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-train',
  pipelineName: 'churn-train',
  status: 'Executing',
  startTime: '2026-12-03T08:00:00Z',
  parameters: [{ name: 'Epochs', value: '3' }],
  startedBy: {
    kind: 'schedule',
    ref: 'nightly-retrain',
    group: 'sagemaker-pipelines',
    name: 'nightly-retrain',
    occurrence: '2026-12-03T07:00:00.000Z',
    timeZone: 'Europe/Berlin',
    likely: false,
  },
  steps: { Preprocess: { status: 'Succeeded' }, Train: { status: 'Executing' } },
  seen: [],
});

describe('a Slack message in the terminal', () => {
  it('shows what started the run, its parameters, steps and the step running now', () => {
    const lines = messageLines(running);
    expect(lines[0]).toBe('⏳ churn-train x1 is executing');
    expect(lines).toContain(
      'Started by: schedule nightly-retrain, the 08:00 Europe/Berlin run of 3 Dec',
    );
    expect(lines).toContain('Parameters: Epochs=3');
    expect(lines).toContain('⏳ Train — executing');
    expect(summaryLine(running)).toMatch(
      /^⏳ churn-train x1 is executing · now Train · Started by schedule nightly-retrain, .* · Steps 1 of 2 done · Parameters Epochs=3$/,
    );
  });

  it('turns mentions, dates, links and escapes into what Slack would show', () => {
    expect(
      mrkdwnText(
        'by <@U0ALICE>, approved by <!subteam^S0ML|@ml> in <#C0MLOPS|ml-ops> at <!date^1764748800^{date_short} {time}|3 Dec 08:00>: <https://example.com/x|the run> &lt;ok&gt; *done*',
        (id) => (id === 'U0ALICE' ? 'alice' : undefined),
      ),
    ).toBe(
      'by @alice, approved by @ml in #ml-ops at 3 Dec 08:00: the run (https://example.com/x) <ok> done',
    );
  });
});

describe('people in the terminal', () => {
  it('shows people by the names LOCAL_IDENTITIES gives them, and by id otherwise', async () => {
    const config = loadConfig({ LOCAL_IDENTITIES: 'U0ALICE=Alice Smith:S0ML+S0PLATFORM,U0LEAD1' });
    const identities = new ConfiguredIdentities(config.localIdentities);
    expect((await identities.identify('U0ALICE')).groupIds).toEqual(['S0ML', 'S0PLATFORM']);
    const lines: string[] = [];
    const poster = new TerminalPoster(
      (shown) => lines.push(...shown),
      (id) => identities.nameOf(id),
    );
    await poster.post('terminal', {
      text: 'run started',
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'Started by <@U0ALICE>, approved by <@U0LEAD1>' },
        },
      ],
    });
    expect(lines).toEqual(['● Started by @Alice Smith, approved by @U0LEAD1']);
    expect(() => loadConfig({ LOCAL_IDENTITIES: 'U0ALICE=Al,ice' })).toThrow(/LOCAL_IDENTITIES/);
  });
});
