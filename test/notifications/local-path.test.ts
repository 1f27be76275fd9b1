import { describe, expect, it } from 'vitest';
import { eventually, expectOk, startRuntime } from '../support/runtime-harness.js';

describe("the local back end's events", () => {
  it('take the same path — stored, then shown as one live message per execution', async () => {
    const h = await startRuntime({
      engine: true,
      pipelines:
        'pipelines:\n  - name: quick\n    steps:\n      - { name: Prepare, seconds: 0 }\n      - { name: Check, seconds: 0, fails: "AUC 0.61 is below 0.70" }\n',
    });
    try {
      expectOk(
        await h.runtime.service.runNow('quick', [], { requestId: 'r1', allowedRoles: 'any' }),
      );
      await eventually(() => h.lines.some((l) => /is failed/.test(l)));
      await eventually(() => h.lines.some((l) => /↳/.test(l)));
      // What the Slack message shows: status, what started it, the failed step, the reason.
      const shown = h.lines.join('\n');
      expect(shown).toMatch(/● ✗ quick [0-9a-f]{12} is failed/);
      expect(shown).toMatch(/Started by: the bot/);
      expect(shown).toMatch(/✗ Check — failed/);
      expect(shown).toMatch(/Why it failed: Check: AUC 0.61 is below 0.70/);
      expect(h.lines.at(-1)).toMatch(/^ {3}↳ quick failed: Check: AUC 0.61 is below 0.70$/);
      expect(await h.runtime.store.events.pendingCount()).toBe(0);
      expect((await h.runtime.store.events.pending(10)).length).toBe(0);
    } finally {
      await h.close();
    }
  });
});

describe('events published with put-event', () => {
  const pipelines =
    'pipelines:\n  - name: train\n    parameters:\n      - { name: Epochs, type: Integer, default: 10 }\n    steps:\n      - { name: Fit, seconds: 0 }\n';

  it('a rule whose pipeline cannot start says so in its channel, with the reason and the event id', async () => {
    const h = await startRuntime({ engine: true, pipelines });
    try {
      await h.say(
        'on-event train {"source":["acme.ledger"]} name=on-ledger param:Epochs=$.detail.epochs',
      );
      await h.say(
        'put-event {"id":"evt-lots","source":"acme.ledger","detail-type":"Closed","detail":{"epochs":"lots"}}',
      );
      await eventually(() => h.lines.some((l) => /could not start/.test(l)));
      expect(h.lines.find((l) => /could not start/.test(l))).toMatch(
        /Rule on-ledger matched event evt-lots but could not start train: .*Epochs/,
      );
    } finally {
      await h.close();
    }
  });

  it('the same event id again is not published twice, and the person is told', async () => {
    const h = await startRuntime({ engine: true, pipelines });
    try {
      const event =
        'put-event {"id":"evt-1","source":"acme.ledger","detail-type":"Closed","detail":{}}';
      expect(await h.say(event)).toMatch(/published event evt-1/);
      expect(await h.say(event)).toMatch(/already received \(event id evt-1\)/);
    } finally {
      await h.close();
    }
  });
});
