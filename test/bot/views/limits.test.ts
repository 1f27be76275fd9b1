import type { KnownBlock } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { blockKitProblems } from '../../../src/bot/views/limits.js';

const text = (n: number) => ({ type: 'mrkdwn' as const, text: 'x'.repeat(n) });
const plain = (n: number) => ({ type: 'plain_text' as const, text: 'x'.repeat(n) });

describe('blockKitProblems', () => {
  it('is empty for a valid payload', () => {
    expect(
      blockKitProblems('message', { blocks: [{ type: 'section', text: text(3000) }] }),
    ).toEqual([]);
  });

  it('names each broken limit', () => {
    const option = (value: string) => ({ text: plain(5), value });
    const blocks = [
      ...Array.from({ length: 49 }, () => ({ type: 'divider' }) as KnownBlock),
      { type: 'section', block_id: 'a', text: text(3001) },
      { type: 'section', block_id: 'a', fields: Array.from({ length: 11 }, () => text(2001)) },
      { type: 'header', text: plain(151) },
      { type: 'context', elements: Array.from({ length: 11 }, () => text(1)) },
      {
        type: 'actions',
        block_id: 'b'.repeat(256),
        elements: [
          { type: 'button', action_id: 'x', text: plain(76), value: 'v'.repeat(2001) },
          {
            type: 'button',
            action_id: 'x',
            text: plain(3),
            confirm: { title: plain(101), text: plain(301), confirm: plain(31) },
          },
          {
            type: 'static_select',
            action_id: 'y'.repeat(256),
            placeholder: plain(151),
            options: [
              ...Array.from({ length: 100 }, (_, i) => option(`${i}`)),
              option('v'.repeat(76)),
            ],
            initial_option: option('nope'),
          },
        ],
      },
    ] as KnownBlock[];
    const problems = blockKitProblems('message', { blocks });
    const expected = [
      'message: 54 blocks; at most 50',
      'blocks[49] (section a) text: is 3001 characters; 1 to 3000 allowed',
      'blocks[50] (section a): block_id "a" is used twice',
      'blocks[50] (section a): 11 fields; at most 10',
      'blocks[50] (section a) fields[0]: is 2001 characters; 1 to 2000 allowed',
      'blocks[51] (header) text: is 151 characters; 1 to 150 allowed',
      'blocks[52] (context): 11 elements; 1 to 10 allowed',
      'block_id is 256 characters; 1 to 255 allowed',
      'elements[0] (button) text: is 76 characters; 1 to 75 allowed',
      'elements[0] (button) value: is 2001 characters; 1 to 2000 allowed',
      'elements[1] (button): action_id "x" is used twice in this block',
      'elements[1] (button) confirm title: is 101 characters; 1 to 100 allowed',
      'elements[1] (button) confirm text: is 301 characters; 1 to 300 allowed',
      'elements[1] (button) confirm confirm: is 31 characters; 1 to 30 allowed',
      'elements[2] (static_select): action_id is 256 characters; 1 to 255 allowed',
      'elements[2] (static_select) placeholder: is 151 characters; 1 to 150 allowed',
      'elements[2] (static_select) options: 101 items; 1 to 100 allowed',
      'elements[2] (static_select) option 100 value: is 76 characters; 1 to 75 allowed',
      'elements[2] (static_select): initial option is not one of the options',
    ];
    for (const e of expected)
      expect(
        problems.some((p) => p.includes(e)),
        e,
      ).toBe(true);
  });

  it('checks modal titles, buttons, metadata and input labels', () => {
    const problems = blockKitProblems('modal', {
      title: plain(25),
      close: plain(25),
      callback_id: 'c'.repeat(256),
      private_metadata: 'm'.repeat(3001),
      blocks: [
        {
          type: 'input',
          label: plain(2001),
          hint: plain(2001),
          element: {
            type: 'plain_text_input',
            action_id: 'a',
            max_length: 3001,
          },
        },
        {
          type: 'input',
          label: plain(1),
          element: {
            type: 'radio_buttons',
            action_id: 'r',
            options: Array.from({ length: 11 }, (_, i) => ({ text: plain(1), value: `${i}` })),
          },
        },
      ],
    });
    for (const e of [
      'modal title: is 25 characters; 1 to 24 allowed',
      'modal close: is 25 characters; 1 to 24 allowed',
      'modal: has input blocks, so it needs a submit button',
      'callback_id: is 256 characters; 1 to 255 allowed',
      'private_metadata: is 3001 characters; 0 to 3000 allowed',
      'label: is 2001 characters; 1 to 2000 allowed',
      'hint: is 2001 characters; 1 to 2000 allowed',
      'max_length must be 1 to 3000',
      '(radio_buttons) options: 11 items; 1 to 10 allowed',
    ])
      expect(
        problems.some((p) => p.includes(e)),
        e,
      ).toBe(true);
    expect(
      blockKitProblems('modal', {
        title: plain(5),
        blocks: Array.from({ length: 101 }, () => ({ type: 'divider' }) as KnownBlock),
      }),
    ).toEqual(['modal: 101 blocks; at most 100']);
  });
});
