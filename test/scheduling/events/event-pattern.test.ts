import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CompiledPattern,
  MAX_EVENT_PATTERN_LENGTH,
  matchesEventPattern,
  parseEventPattern,
  testEventPattern,
} from '../../../src/scheduling/events/event-pattern/index.js';

function compile(pattern: unknown): CompiledPattern {
  const parsed = parseEventPattern(pattern);
  if (!parsed.ok) throw new Error(`expected a valid pattern: ${parsed.error.message}`);
  return parsed.pattern;
}

function rejection(pattern: unknown) {
  const parsed = parseEventPattern(pattern);
  if (parsed.ok) throw new Error(`expected ${JSON.stringify(pattern)} to be rejected`);
  return parsed.error;
}

interface MatchCase {
  what: string;
  pattern: unknown;
  matches: unknown[];
  misses: unknown[];
}

/** Each pattern with events it must match and events it must not. */
function checkTable(table: MatchCase[]) {
  describe.each(table)('$what', ({ pattern, matches, misses }) => {
    const compiled = compile(pattern);
    it.each(matches)('matches %j', (event) => {
      expect(matchesEventPattern(compiled, event)).toBe(true);
    });
    it.each(misses)('does not match %j', (event) => {
      expect(matchesEventPattern(compiled, event)).toBe(false);
    });
  });
}

/** A real-shaped SageMaker pipeline event (reference §4.1). */
const pipelineFailed = {
  version: '0',
  id: '0b6d8f3e-5a51-4f0e-9d2b-7e4a1c2f9a10',
  'detail-type': 'SageMaker Model Building Pipeline Execution Status Change',
  source: 'aws.sagemaker',
  account: '123456789012',
  time: '2026-03-02T09:14:05Z',
  region: 'us-east-1',
  resources: [
    'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-training',
    'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-training/execution/k2x8w1qz7d3m',
  ],
  detail: {
    pipelineArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-training',
    pipelineExecutionArn:
      'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-training/execution/k2x8w1qz7d3m',
    pipelineExecutionDisplayName: 'chatops-run-42',
    pipelineExecutionDescription: 'started from #ml-ops by @alice',
    previousPipelineExecutionStatus: 'Executing',
    currentPipelineExecutionStatus: 'Failed',
    executionStartTime: '2026-03-02T09:00:41Z',
    executionEndTime: '2026-03-02T09:14:04Z',
  },
};

/** The pattern the reference suggests for the bot (§2). */
const pipelineStatusPattern = {
  source: ['aws.sagemaker'],
  'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'],
  detail: {
    currentPipelineExecutionStatus: ['Succeeded', 'Failed', 'Stopped'],
    pipelineArn: [{ prefix: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/' }],
  },
};

const withDetail = <T extends object>(detail: T) => ({ ...pipelineFailed, detail });

describe('the operator table of the reference', () => {
  checkTable([
    {
      what: 'exact: state is "running" or "stopped"',
      pattern: { state: ['running', 'stopped'] },
      matches: [{ state: 'running' }, { state: 'stopped' }],
      misses: [{ state: 'Running' }, { state: 'pending' }, { other: 'running' }, {}],
    },
    {
      what: 'exact numbers and booleans',
      pattern: { count: [5], enabled: [true] },
      matches: [{ count: 5, enabled: true }],
      misses: [
        { count: '5', enabled: true },
        { count: 5, enabled: 'true' },
        { count: 5, enabled: false },
        { count: 5 },
      ],
    },
    {
      what: 'null: responseElements is null',
      pattern: { responseElements: [null] },
      matches: [{ responseElements: null }],
      misses: [{ responseElements: '' }, { responseElements: 'null' }, {}],
    },
    {
      what: 'empty string: eventVersion is ""',
      pattern: { eventVersion: [''] },
      matches: [{ eventVersion: '' }],
      misses: [{ eventVersion: null }, { eventVersion: ' ' }, {}],
    },
    {
      what: 'prefix: time starts with 2017-10-02',
      pattern: { time: [{ prefix: '2017-10-02' }] },
      matches: [{ time: '2017-10-02T18:43:48Z' }, { time: '2017-10-02' }],
      misses: [{ time: '2017-10-03T00:00:00Z' }, { time: 20171002 }, {}],
    },
    {
      what: 'prefix, ignore case: service starts with eventb in any case',
      pattern: { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] },
      matches: [{ service: 'EventBridge' }, { service: 'EVENTBRIDGE' }, { service: 'eventb' }],
      misses: [{ service: 'AmazonEventBridge' }, { service: 'event' }],
    },
    {
      what: 'suffix: FileName ends with .png',
      pattern: { FileName: [{ suffix: '.png' }] },
      matches: [{ FileName: 'photo.png' }, { FileName: '.png' }],
      misses: [{ FileName: 'photo.PNG' }, { FileName: 'photo.png.txt' }],
    },
    {
      what: 'suffix, ignore case: FileName ends with .png in any case',
      pattern: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] },
      matches: [{ FileName: 'photo.PNG' }, { FileName: 'photo.Png' }],
      misses: [{ FileName: 'photo.jpg' }],
    },
    {
      what: 'equals-ignore-case: detail-type in any case',
      pattern: {
        'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }],
      },
      matches: [{ 'detail-type': 'EC2 Instance State-change Notification' }],
      misses: [{ 'detail-type': 'EC2 Instance State-change' }, { 'detail-type': 42 }],
    },
    {
      what: 'anything-but a string: state is not "initializing"',
      pattern: { state: [{ 'anything-but': 'initializing' }] },
      matches: [{ state: 'running' }, { state: 'Initializing' }],
      misses: [{ state: 'initializing' }, {}],
    },
    {
      what: 'anything-but a number: x-limit is not 123',
      pattern: { 'x-limit': [{ 'anything-but': 123 }] },
      matches: [{ 'x-limit': 124 }, { 'x-limit': '123' }],
      misses: [{ 'x-limit': 123 }, { 'x-limit': 123.0 }],
    },
    {
      what: 'anything-but a list of strings: state is neither stopped nor overloaded',
      pattern: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] },
      matches: [{ state: 'running' }],
      misses: [{ state: 'stopped' }, { state: 'overloaded' }],
    },
    {
      what: 'anything-but a list of numbers: x-limit is not 100, 200 or 300',
      pattern: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] },
      matches: [{ 'x-limit': 150 }, { 'x-limit': '300' }],
      misses: [{ 'x-limit': 300 }, { 'x-limit': 200 }],
    },
    {
      what: 'anything-but a prefix: state does not start with init',
      pattern: { state: [{ 'anything-but': { prefix: 'init' } }] },
      matches: [{ state: 'running' }, { state: 'Initializing' }],
      misses: [{ state: 'initializing' }, { state: 'init' }],
    },
    {
      what: 'anything-but a list of prefixes (accepted, like the current engine)',
      pattern: { state: [{ 'anything-but': { prefix: ['init', 'error'] } }] },
      matches: [{ state: 'running' }],
      misses: [{ state: 'initializing' }, { state: 'error-42' }],
    },
    {
      what: 'anything-but a suffix: FileName does not end with .png',
      pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
      matches: [{ FileName: 'photo.jpg' }, { FileName: 'photo.PNG' }],
      misses: [{ FileName: 'photo.png' }],
    },
    {
      what: 'anything-but, ignore case: state is not initializing in any case',
      pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
      matches: [{ state: 'running' }],
      misses: [{ state: 'INITIALIZING' }, { state: 'initializing' }],
    },
    {
      what: 'anything-but, ignore case, a list',
      pattern: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'Failed'] } }] },
      matches: [{ state: 'Succeeded' }],
      misses: [{ state: 'STOPPED' }, { state: 'failed' }],
    },
    {
      what: 'anything-but a wildcard: FilePath does not include /lib/',
      pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      matches: [{ FilePath: '/usr/bin/env' }, { FilePath: '/usr/libexec/x' }],
      misses: [{ FilePath: '/usr/lib/x' }],
    },
    {
      what: 'numeric: c-count above 0 and at most 5',
      pattern: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
      matches: [{ 'c-count': 5 }, { 'c-count': 0.5 }, { 'c-count': 1e-9 }],
      misses: [{ 'c-count': 0 }, { 'c-count': 5.000001 }, { 'c-count': '3' }, {}],
    },
    {
      what: 'numeric: x-limit equals 3.018e2',
      pattern: { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
      matches: [{ 'x-limit': 301.8 }],
      misses: [{ 'x-limit': 301 }, { 'x-limit': '301.8' }],
    },
    {
      what: 'cidr: sourceIPAddress in 10.0.0.0/24',
      pattern: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] },
      matches: [{ sourceIPAddress: '10.0.0.0' }, { sourceIPAddress: '10.0.0.255' }],
      misses: [
        { sourceIPAddress: '10.0.1.0' },
        { sourceIPAddress: '9.255.255.255' },
        { sourceIPAddress: 'not-an-ip' },
        { sourceIPAddress: '::ffff:10.0.0.1' },
      ],
    },
    {
      what: 'exists: true',
      pattern: { detail: { 'c-count': [{ exists: true }] } },
      matches: [{ detail: { 'c-count': 0 } }, { detail: { 'c-count': null } }],
      misses: [{ detail: {} }, { detail: { 'c-count': { c1: 100 } } }, {}],
    },
    {
      what: 'exists: false',
      pattern: { detail: { 'c-count': [{ exists: false }] } },
      matches: [{ detail: {} }, { detail: { 'c-count': { c1: 100 } } }, {}],
      misses: [{ detail: { 'c-count': 5 } }, { detail: { 'c-count': null } }],
    },
    {
      what: 'wildcard: source is Simple*Service',
      pattern: { source: [{ wildcard: 'Simple*Service' }] },
      matches: [{ source: 'SimpleQueueService' }, { source: 'SimpleService' }],
      misses: [{ source: 'SimpleQueueServices' }, { source: 'simpleQueueService' }],
    },
    {
      what: '$or: c-count above 0 or d-count below 10',
      pattern: {
        detail: {
          $or: [{ 'c-count': [{ numeric: ['>', 0] }] }, { 'd-count': [{ numeric: ['<', 10] }] }],
        },
      },
      matches: [
        { detail: { 'c-count': 3 } },
        { detail: { 'd-count': 5 } },
        { detail: { 'c-count': 1, 'd-count': 99 } },
      ],
      misses: [{ detail: { 'c-count': 0, 'd-count': 10 } }, { detail: {} }],
    },
  ]);
});

describe('arrays in events', () => {
  checkTable([
    {
      what: 'an event array matches when any element is allowed',
      pattern: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1'] },
      matches: [
        { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1'] },
        { resources: ['arn:other', 'arn:aws:ec2:us-east-1:123456789012:instance/i-1'] },
        { resources: [['arn:aws:ec2:us-east-1:123456789012:instance/i-1']] },
      ],
      misses: [{ resources: [] }, { resources: ['arn:other'] }],
    },
    {
      what: 'operators apply to each element',
      pattern: { sizes: [{ numeric: ['>=', 10] }] },
      matches: [{ sizes: [1, 2, 30] }],
      misses: [{ sizes: [1, 2, 3] }, { sizes: ['30'] }],
    },
    {
      what: 'one array element must satisfy the whole nested pattern (Anna Jones is nobody)',
      pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
      matches: [{ employees: [{ firstName: 'Anna', lastName: 'Jones' }] }],
      misses: [
        {
          employees: [
            { firstName: 'Anna', lastName: 'Smith' },
            { firstName: 'Peter', lastName: 'Jones' },
          ],
        },
      ],
    },
    {
      what: 'arrays of arrays of objects are crushed out',
      pattern: { employees: { firstName: ['Peter'] } },
      matches: [{ employees: [[{ firstName: 'John' }], [{ firstName: 'Peter' }]] }],
      misses: [{ employees: [[{ firstName: 'John' }]] }],
    },
    {
      what: 'an empty array has no value, so only exists:false holds',
      pattern: { tags: [{ exists: false }] },
      matches: [{ tags: [] }, { tags: [{ key: 'a' }] }],
      misses: [{ tags: ['a'] }, { tags: [null] }],
    },
  ]);
});

describe('null and the empty string are different values', () => {
  checkTable([
    {
      what: 'null or "" both listed',
      pattern: { name: [null, ''] },
      matches: [{ name: null }, { name: '' }],
      misses: [{ name: 'x' }, {}],
    },
    {
      what: 'anything-but "" still matches null',
      pattern: { name: [{ 'anything-but': '' }] },
      matches: [{ name: null }, { name: 'x' }],
      misses: [{ name: '' }, {}],
    },
  ]);
});

describe('nested objects', () => {
  checkTable([
    {
      what: 'a nested field must exist with the same nesting',
      pattern: { detail: { state: { status: ['running'] } } },
      matches: [{ detail: { state: { status: 'running' } } }],
      misses: [
        { detail: { status: 'running' } },
        { detail: { state: 'running' } },
        { detail: { 'state.status': 'running' } },
        { status: 'running' },
      ],
    },
    {
      what: 'a leaf pattern does not match an object in the event',
      pattern: { detail: ['running'] },
      matches: [{ detail: 'running' }],
      misses: [{ detail: { state: 'running' } }],
    },
    {
      what: 'exists:false holds when the parent object is missing or not an object',
      pattern: { detail: { error: [{ exists: false }] }, source: ['aws.sagemaker'] },
      matches: [{ source: 'aws.sagemaker' }, { source: 'aws.sagemaker', detail: 'text' }],
      misses: [{ source: 'aws.sagemaker', detail: { error: 'boom' } }],
    },
    {
      what: 'fields are ANDed',
      pattern: { source: ['aws.sagemaker'], detail: { state: ['Failed'] } },
      matches: [{ source: 'aws.sagemaker', detail: { state: 'Failed' } }],
      misses: [
        { source: 'aws.sagemaker', detail: { state: 'Succeeded' } },
        { source: 'aws.events', detail: { state: 'Failed' } },
      ],
    },
  ]);
});

describe('numbers', () => {
  it.each([
    ['{"size": [300]}', '300.0', true],
    ['{"size": [300.0]}', '300', true],
    ['{"size": [3e2]}', '300', true],
    ['{"size": [300]}', '"300"', false],
    ['{"size": [300]}', '301', false],
    ['{"size": [{"numeric": ["=", 300]}]}', '300.0', true],
    ['{"size": [{"anything-but": [300]}]}', '300.0', false],
    ['{"size": [{"numeric": [">=", 0, "<", 1]}]}', '0', true],
    ['{"size": [{"numeric": [">=", 0, "<", 1]}]}', '1', false],
    ['{"size": [{"numeric": [">=", 0, "<", 1]}]}', '0.999999', true],
    ['{"size": [{"numeric": ["<", -1.5]}]}', '-2', true],
    ['{"size": [{"numeric": ["<=", -1.5]}]}', '-1.5', true],
    ['{"size": [{"numeric": [">", 1e9]}]}', '5e9', true],
  ])('%s against size %s → %s', (pattern, size, expected) => {
    const result = testEventPattern(pattern, envelope(`"detail": {}, "size": ${size}`));
    expect(result).toEqual({ ok: true, matches: expected });
  });
});

describe('cidr', () => {
  checkTable([
    {
      what: 'IPv4 /16',
      pattern: { ip: [{ cidr: '192.168.0.0/16' }] },
      matches: [{ ip: '192.168.255.1' }, { ip: ['8.8.8.8', '192.168.0.1'] }],
      misses: [{ ip: '192.169.0.1' }, { ip: '192.168.0' }, { ip: '192.168.0.256' }],
    },
    {
      what: 'host bits in the pattern are ignored, as in 10.0.0.77/24',
      pattern: { ip: [{ cidr: '10.0.0.77/24' }] },
      matches: [{ ip: '10.0.0.1' }],
      misses: [{ ip: '10.0.1.1' }],
    },
    {
      what: 'IPv4 /0 covers every IPv4 address and no IPv6 address',
      pattern: { ip: [{ cidr: '0.0.0.0/0' }] },
      matches: [{ ip: '255.255.255.255' }],
      misses: [{ ip: '::1' }],
    },
    {
      what: 'IPv6 2001:db8::/32, any spelling',
      pattern: { ip: [{ cidr: '2001:db8::/32' }] },
      matches: [
        { ip: '2001:db8::1' },
        { ip: '2001:DB8:ffff:ffff:ffff:ffff:ffff:ffff' },
        { ip: '2001:0db8:0000:0000:0000:0000:0000:0001' },
      ],
      misses: [{ ip: '2001:db9::1' }, { ip: '10.0.0.1' }, { ip: '2001:db8::1::2' }],
    },
    {
      what: 'IPv6 with an embedded IPv4 address',
      pattern: { ip: [{ cidr: '::ffff:10.0.0.0/120' }] },
      matches: [{ ip: '::ffff:10.0.0.200' }, { ip: '0:0:0:0:0:ffff:a00:1' }],
      misses: [{ ip: '::ffff:10.0.1.0' }, { ip: '10.0.0.1' }],
    },
  ]);
});

describe('wildcard escapes', () => {
  checkTable([
    {
      what: '\\* is a literal star',
      pattern: { name: [{ wildcard: 'a\\*b' }] },
      matches: [{ name: 'a*b' }],
      misses: [{ name: 'axb' }, { name: 'a\\*b' }],
    },
    {
      what: '\\\\ is a literal backslash, and the * after it is a wildcard',
      pattern: { path: [{ wildcard: 'C:\\\\*' }] },
      matches: [{ path: 'C:\\Windows' }, { path: 'C:\\' }],
      misses: [{ path: 'C:/Windows' }],
    },
    {
      what: 'a lone * matches any string, even an empty one, but not a number',
      pattern: { name: [{ wildcard: '*' }] },
      matches: [{ name: '' }, { name: 'anything' }],
      misses: [{ name: 5 }, { name: null }],
    },
    {
      what: 'stars at both ends and in the middle',
      pattern: { key: [{ wildcard: '*/lib/*.so' }] },
      matches: [{ key: '/usr/lib/x.so' }, { key: 'a/lib/b/lib/c.so' }],
      misses: [{ key: '/usr/lib/x.so.1' }, { key: '/lib.so' }],
    },
    {
      what: 'a wildcard with no star is an exact match',
      pattern: { key: [{ wildcard: 'plain' }] },
      matches: [{ key: 'plain' }],
      misses: [{ key: 'plainer' }],
    },
  ]);

  it('stays fast on a long value that nearly matches', () => {
    const compiled = compile({ key: [{ wildcard: 'a*a*a*a*a*a*a*a*b' }] });
    const started = performance.now();
    expect(matchesEventPattern(compiled, { key: 'a'.repeat(100_000) })).toBe(false);
    expect(performance.now() - started).toBeLessThan(250);
  });
});

describe('$or', () => {
  checkTable([
    {
      what: 'at the top, next to a plain field',
      pattern: {
        source: ['aws.cloudwatch'],
        $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      },
      matches: [
        { source: 'aws.cloudwatch', metricName: 'CPUUtilization' },
        { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
      ],
      misses: [
        { source: 'aws.events', metricName: 'CPUUtilization' },
        { source: 'aws.cloudwatch', metricName: 'ReadLatency' },
      ],
    },
    {
      what: 'nested $or inside an alternative',
      pattern: {
        $or: [
          { metricName: ['CPUUtilization'] },
          { namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
        ],
      },
      matches: [{ metricName: 'CPUUtilization' }, { namespace: 'AWS/EC2', spaceId: 1000 }],
      misses: [{ namespace: 'AWS/EC2' }, { metricId: 1234 }],
    },
  ]);

  /** `count` sibling fields, each holding a $or of `width` alternatives. */
  function orGrid(count: number, width: number): Record<string, unknown> {
    const pattern: Record<string, unknown> = {};
    for (let f = 0; f < count; f++) {
      pattern[`f${f}`] = {
        $or: Array.from({ length: width }, (_, a) => ({ [`a${a}`]: [a] })),
      };
    }
    return pattern;
  }

  it('accepts exactly 1000 combinations (10 × 10 × 10)', () => {
    expect(parseEventPattern(orGrid(3, 10)).ok).toBe(true);
  });

  it('rejects 1024 combinations (2 to the 10th), saying how many', () => {
    expect(rejection(orGrid(10, 2)).message).toMatch(
      /^\$or: the pattern's \$or alternatives multiply out to 1024 combinations; EventBridge allows at most 1000/,
    );
  });

  it('counts a nested $or inside an alternative as extra alternatives (1 + 3 = 4)', () => {
    const inner = { $or: [{ x: [1] }, { y: [1] }, { z: [1] }] };
    const four = { $or: [{ a: [1] }, { b: [1], ...inner }] };
    // 4 × 4 × 4 × 4 × 4 = 1024 > 1000; 4 × 4 × 4 × 4 = 256 is fine.
    const fields = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, four]));
    expect(parseEventPattern(fields(4)).ok).toBe(true);
    expect(rejection(fields(5)).message).toMatch(/multiply out to 1024 combinations/);
  });
});

describe('the SageMaker pipeline-status pattern', () => {
  const compiled = compile(pipelineStatusPattern);

  it('matches a failed run of a pipeline in the account', () => {
    expect(matchesEventPattern(compiled, pipelineFailed)).toBe(true);
  });

  it.each([
    [
      'a run still executing',
      withDetail({ ...pipelineFailed.detail, currentPipelineExecutionStatus: 'Executing' }),
    ],
    [
      'a pipeline in another account',
      withDetail({
        ...pipelineFailed.detail,
        pipelineArn: 'arn:aws:sagemaker:us-east-1:999999999999:pipeline/churn-training',
      }),
    ],
    [
      'a step event',
      {
        ...pipelineFailed,
        'detail-type': 'SageMaker Model Building Pipeline Execution Step Status Change',
      },
    ],
    ['an event from another source', { ...pipelineFailed, source: 'aws.events' }],
    ['an event with no detail', { ...pipelineFailed, detail: undefined }],
  ])('does not match %s', (_, event) => {
    expect(matchesEventPattern(compiled, event)).toBe(false);
  });

  it('gives the same answer through testEventPattern', () => {
    expect(
      testEventPattern(JSON.stringify(pipelineStatusPattern), JSON.stringify(pipelineFailed)),
    ).toEqual({ ok: true, matches: true });
  });

  it('keeps the pattern as frozen JSON data for PutRule', () => {
    expect(compiled.source).toEqual(pipelineStatusPattern);
    expect(Object.isFrozen(compiled.source)).toBe(true);
    expect(JSON.parse(JSON.stringify(compiled.source))).toEqual(pipelineStatusPattern);
  });
});

describe('invalid patterns are rejected with the path and the problem', () => {
  it.each<[string, string, string | undefined, RegExp]>([
    [
      'not JSON',
      '{"source": ["aws.sagemaker",]}',
      undefined,
      /^the pattern is not valid JSON: expected a value .* at line 1, column 29, near "]}"$/,
    ],
    [
      'JSON, unfinished',
      '{"source": ["a"]',
      undefined,
      /^the pattern is not valid JSON: the text ends before the closing } at line 1, column 17$/,
    ],
    [
      'JSON on two lines',
      '{\n  "source" ["a"]}',
      undefined,
      /^the pattern is not valid JSON: expected : after the property name at line 2, column 12/,
    ],
    [
      'an array',
      '[{"source": ["a"]}]',
      undefined,
      /^the pattern must be a JSON object, like .*, not an array$/,
    ],
    ['a string', '"aws.sagemaker"', undefined, /^the pattern must be a JSON object/],
    ['an empty object', '{}', undefined, /^the pattern is empty: name at least one field to match/],
    ['only spaces', '   ', undefined, /^the pattern is empty/],
    [
      'a scalar value',
      '{"detail": {"state": "running"}}',
      'detail.state',
      /^detail\.state: the value must be an array of allowed values, like \["running"\]$/,
    ],
    [
      'a number value',
      '{"size": 5}',
      'size',
      /^size: the value must be an array of allowed values, like \[5\]$/,
    ],
    [
      'an operator outside the array',
      '{"source": {"prefix": "aws."}}',
      'source',
      /^source: an operator goes inside the array of allowed values, like \[\{"prefix":"aws."\}\]$/,
    ],
    ['an empty nested object', '{"detail": {}}', 'detail', /^detail: the object is empty/],
    [
      'an empty array',
      '{"detail": {"state": []}}',
      'detail.state',
      /^detail\.state: the array of allowed values is empty/,
    ],
    [
      'an array inside the array',
      '{"state": [["a"]]}',
      'state[0]',
      /^state: an allowed value cannot be an array/,
    ],
    [
      'an unknown operator',
      '{"detail": {"size": [{"numerc": [">", 1]}]}}',
      'detail.size[0]',
      /^detail\.size: unknown operator "numerc" \(expected prefix, suffix, anything-but, numeric, cidr, exists, wildcard, equals-ignore-case\)$/,
    ],
    [
      'two operators in one object',
      '{"file": [{"prefix": "a", "suffix": "b"}]}',
      'file[0]',
      /^file: an operator object holds exactly one operator, but this one has prefix and suffix/,
    ],
    [
      'an empty operator object',
      '{"file": ["x", {}]}',
      'file[1]',
      /^file: an operator object cannot be empty/,
    ],
    [
      'prefix of a number',
      '{"time": [{"prefix": 2017}]}',
      'time[0]',
      /^time: prefix: the value must be a string/,
    ],
    [
      'suffix with the wrong inner operator',
      '{"f": [{"suffix": {"wildcard": "x"}}]}',
      'f[0]',
      /^f: suffix: the value must be a string/,
    ],
    [
      'equals-ignore-case of a list',
      '{"f": [{"equals-ignore-case": ["a"]}]}',
      'f[0]',
      /^f: equals-ignore-case: the value must be a string/,
    ],
    [
      'numeric without a number',
      '{"size": [{"numeric": [">", "5"]}]}',
      'size[0]',
      /^size: numeric: ">" must be followed by a number$/,
    ],
    [
      'numeric with a dangling operator',
      '{"size": [{"numeric": [">", 0, "<="]}]}',
      'size[0]',
      /^size: numeric: "<=" must be followed by a number$/,
    ],
    [
      'numeric with a bad comparison',
      '{"size": [{"numeric": ["=>", 5]}]}',
      'size[0]',
      /^size: numeric: "=>" is not a comparison \(expected =, <, <=, > or >=\)$/,
    ],
    [
      'numeric upper bound first',
      '{"size": [{"numeric": ["<", 5, ">", 0]}]}',
      'size[0]',
      /^size: numeric: a range is a lower bound/,
    ],
    [
      'numeric with two lower bounds',
      '{"size": [{"numeric": [">", 0, ">=", 5]}]}',
      'size[0]',
      /^size: numeric: a range is a lower bound/,
    ],
    [
      'numeric "=" in a range',
      '{"size": [{"numeric": ["=", 0, "<", 5]}]}',
      'size[0]',
      /^size: numeric: "=" cannot be combined/,
    ],
    [
      'numeric empty range',
      '{"size": [{"numeric": [">", 5, "<", 5]}]}',
      'size[0]',
      /^size: numeric: the range \[">",5,"<",5\] is empty/,
    ],
    [
      'numeric with three comparisons',
      '{"size": [{"numeric": [">", 0, "<", 5, "<", 9]}]}',
      'size[0]',
      /^size: numeric: at most two comparisons/,
    ],
    [
      'numeric with a number too large for a double',
      '{"size": [{"numeric": [">", 1e400]}]}',
      'size[0]',
      /^size: numeric: the number after ">" is too large$/,
    ],
    [
      'numeric not a list',
      '{"size": [{"numeric": 5}]}',
      'size[0]',
      /^size: numeric: the value must be a list of comparisons/,
    ],
    [
      'exists not a boolean',
      '{"a": [{"exists": "yes"}]}',
      'a[0]',
      /^a: exists: the value must be true or false, not "yes"$/,
    ],
    [
      'cidr without a mask',
      '{"ip": [{"cidr": "10.0.0.0"}]}',
      'ip[0]',
      /^ip: cidr: "10\.0\.0\.0" needs a prefix length after a slash/,
    ],
    [
      'cidr with a bad address',
      '{"ip": [{"cidr": "10.0.0.300/24"}]}',
      'ip[0]',
      /^ip: cidr: "10\.0\.0\.300" in "10\.0\.0\.300\/24" is not an IPv4 or IPv6 address$/,
    ],
    [
      'cidr with a short address',
      '{"ip": [{"cidr": "10.0.0/24"}]}',
      'ip[0]',
      /is not an IPv4 or IPv6 address/,
    ],
    [
      'cidr with a bad IPv6 address',
      '{"ip": [{"cidr": "2001:db8:::/32"}]}',
      'ip[0]',
      /is not an IPv4 or IPv6 address/,
    ],
    [
      'cidr with a mask too long',
      '{"ip": [{"cidr": "10.0.0.0/33"}]}',
      'ip[0]',
      /from 0 to 31 for IPv4/,
    ],
    [
      'cidr for one IPv4 address',
      '{"ip": [{"cidr": "10.0.0.1/32"}]}',
      'ip[0]',
      /from 0 to 31 for IPv4; to match one address, list it as a value, like \["10\.0\.0\.1"\]$/,
    ],
    [
      'cidr for one IPv6 address',
      '{"ip": [{"cidr": "::1/128"}]}',
      'ip[0]',
      /from 0 to 127 for IPv6/,
    ],
    [
      'cidr with a word for a mask',
      '{"ip": [{"cidr": "10.0.0.0/x"}]}',
      'ip[0]',
      /must be a whole number/,
    ],
    [
      'wildcard with two stars',
      '{"source": [{"wildcard": "a**b"}]}',
      'source[0]',
      /^source: wildcard: "a\*\*b" has two consecutive \*$/,
    ],
    [
      'wildcard with a bad escape',
      '{"source": [{"wildcard": "a\\\\nb"}]}',
      'source[0]',
      /^source: wildcard: .* has \\n; only \\\* \(a literal \*\) and \\\\ \(a literal \\\) may be escaped$/,
    ],
    [
      'wildcard ending in a backslash',
      '{"source": [{"wildcard": "a\\\\"}]}',
      'source[0]',
      /has a lone \\ at the end/,
    ],
    [
      'wildcard of a number',
      '{"source": [{"wildcard": 5}]}',
      'source[0]',
      /^source: wildcard: the value must be a string/,
    ],
    [
      'anything-but of mixed types',
      '{"x": [{"anything-but": ["a", 1]}]}',
      'x[0]',
      /^x: anything-but: a list must hold only strings or only numbers/,
    ],
    [
      'anything-but of an empty list',
      '{"x": [{"anything-but": []}]}',
      'x[0]',
      /^x: anything-but: the list is empty/,
    ],
    [
      'anything-but of null',
      '{"x": [{"anything-but": null}]}',
      'x[0]',
      /^x: anything-but: the value must be a string, a number/,
    ],
    [
      'anything-but of true',
      '{"x": [{"anything-but": true}]}',
      'x[0]',
      /^x: anything-but: the value must be/,
    ],
    [
      'anything-but with numeric inside',
      '{"x": [{"anything-but": {"numeric": [">", 1]}}]}',
      'x[0]',
      /^x: anything-but: "numeric" cannot be used inside anything-but/,
    ],
    [
      'anything-but with an empty prefix',
      '{"x": [{"anything-but": {"prefix": ""}}]}',
      'x[0]',
      /^x: anything-but: an empty prefix is not allowed$/,
    ],
    [
      'anything-but with a numeric prefix list',
      '{"x": [{"anything-but": {"prefix": ["a", 1]}}]}',
      'x[0]',
      /^x: anything-but: prefix takes a string or a list of strings, not 1$/,
    ],
    [
      'anything-but with a bad wildcard',
      '{"x": [{"anything-but": {"wildcard": "**"}}]}',
      'x[0]',
      /^x: wildcard: "\*\*" has two consecutive \*$/,
    ],
    [
      '$or with one pattern',
      '{"$or": [{"a": ["b"]}]}',
      '$or',
      /^\$or needs at least two patterns, found 1/,
    ],
    [
      '$or nested with one pattern',
      '{"detail": {"$or": [{"a": ["b"]}]}}',
      'detail.$or',
      /^detail: \$or needs at least two patterns/,
    ],
    [
      '$or not a list',
      '{"$or": {"a": ["b"]}}',
      '$or',
      /^\$or must be an array of at least two patterns/,
    ],
    [
      '$or with a non-object',
      '{"$or": [{"a": ["b"]}, ["c"]]}',
      '$or[1]',
      /^\$or\[1\]: each \$or alternative must be an object/,
    ],
    [
      '$or with an empty alternative',
      '{"$or": [{"a": ["b"]}, {}]}',
      '$or[1]',
      /^\$or\[1\]: the \$or alternative is empty/,
    ],
    [
      '$or with an operator as a field',
      '{"$or": [{"numeric": [1]}, {"b": ["c"]}]}',
      '$or[0].numeric',
      /^\$or\[0\]\.numeric: "numeric" is an operator name and cannot be a field name inside \$or/,
    ],
    [
      'an odd key in the path',
      '{"detail": {"a.b": "x"}}',
      'detail["a.b"]',
      /^detail\["a\.b"\]: the value must be an array/,
    ],
  ])('%s', (_, text, path, message) => {
    const error = rejection(text);
    expect(error.code).toBe('INVALID_EVENT_PATTERN');
    expect(error.message).toMatch(message);
    expect(error.path).toBe(path);
  });

  it(`rejects a pattern longer than ${MAX_EVENT_PATTERN_LENGTH} characters, saying how long it is`, () => {
    const fits = `{"source": ["${'a'.repeat(MAX_EVENT_PATTERN_LENGTH - 16)}"]}`;
    expect(fits).toHaveLength(MAX_EVENT_PATTERN_LENGTH);
    expect(parseEventPattern(fits).ok).toBe(true);
    expect(rejection(`${fits} `).message).toBe(
      'the pattern is 2049 characters long; EventBridge allows at most 2048 (a quota AWS can raise on request)',
    );
  });

  it('reads parsed data as JSON.stringify would send it', () => {
    expect(parseEventPattern({ source: ['aws.sagemaker'] }).ok).toBe(true);
    expect(rejection(undefined).message).toMatch(/^the pattern must be a JSON object/);
    expect(rejection(null).message).toMatch(
      /^the pattern must be a JSON object, like .*, not null$/,
    );
    const cyclic: Record<string, unknown> = { source: ['a'] };
    cyclic.self = cyclic;
    expect(rejection(cyclic).message).toMatch(/^the pattern cannot be written as JSON/);
    expect(rejection({ size: [10n] }).message).toMatch(/^the pattern cannot be written as JSON/);
  });

  it('lets the last of repeated keys win, like JSON.parse', () => {
    const compiled = compile('{"source": ["a"], "source": ["b"]}');
    expect(matchesEventPattern(compiled, { source: 'b' })).toBe(true);
    expect(matchesEventPattern(compiled, { source: 'a' })).toBe(false);
  });
});

/** A TestEventPattern event with every required envelope field, plus `extra` members. */
function envelope(extra: string): string {
  return `{"id": "1", "account": "123456789012", "source": "aws.sagemaker", "time": "2026-03-02T09:14:05Z", "region": "us-east-1", "resources": [], "detail-type": "x", ${extra}}`;
}

describe('testEventPattern', () => {
  it('answers true or false for a complete event', () => {
    expect(testEventPattern('{"source": ["aws.sagemaker"]}', envelope('"detail": {}'))).toEqual({
      ok: true,
      matches: true,
    });
    expect(testEventPattern('{"source": ["aws.events"]}', envelope('"detail": {}'))).toEqual({
      ok: true,
      matches: false,
    });
  });

  it('names the envelope fields the event is missing', () => {
    const { id: _id, region: _region, ...incomplete } = pipelineFailed;
    const result = testEventPattern('{"source": ["aws.sagemaker"]}', JSON.stringify(incomplete));
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'INVALID_EVENT',
        message:
          'the event is missing id, region (TestEventPattern requires id, account, source, time, region, resources, detail-type)',
      },
    });
  });

  it.each([
    [
      'not JSON',
      '{"id": }',
      /^the event is not valid JSON: expected a value .* at line 1, column 8/,
    ],
    ['an array', '[]', /^the event must be a JSON object, not an array$/],
    ['empty', '', /^the event is empty$/],
  ])('rejects an event that is %s', (_, text, message) => {
    const result = testEventPattern('{"source": ["a"]}', text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INVALID_EVENT');
      expect(result.error.message).toMatch(message);
    }
  });

  it('reports a bad pattern before looking at the event', () => {
    const result = testEventPattern('{}', 'not json');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('INVALID_EVENT_PATTERN');
  });
});

describe('matching events from outside', () => {
  const patterns = [
    pipelineStatusPattern,
    { a: [{ exists: false }], b: { c: [{ exists: true }] } },
    { a: [{ 'anything-but': { wildcard: 'x*y' } }, { numeric: ['>', 0, '<=', 5] }] },
    { a: [{ cidr: '10.0.0.0/8' }, { cidr: '2001:db8::/32' }, null, ''] },
    { $or: [{ a: [{ prefix: 'p' }] }, { b: { c: [{ suffix: { 'equals-ignore-case': 'S' } }] } }] },
    { a: { b: { c: [{ wildcard: '*\\**' }, { 'equals-ignore-case': 'X' }, true, 0] } } },
  ].map(compile);

  it('never throws, and always answers a boolean, on arbitrary JSON events', () => {
    const keys = fc.constantFrom('a', 'b', 'c', 'detail', 'source', 'x');
    const events = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(keys, fc.jsonValue({ maxDepth: 4 })),
      fc.record({ a: fc.jsonValue(), b: fc.dictionary(keys, fc.jsonValue({ maxDepth: 3 })) }),
    );
    fc.assert(
      fc.property(events, (event) => {
        for (const pattern of patterns) {
          expect(typeof matchesEventPattern(pattern, event)).toBe('boolean');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('survives hostile objects: a throwing getter, a cyclic array', () => {
    const hostile = Object.defineProperty({}, 'a', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const cycle: unknown[] = ['q'];
    cycle.push(cycle);
    for (const pattern of patterns) {
      expect(matchesEventPattern(pattern, hostile)).toBe(false);
      expect(typeof matchesEventPattern(pattern, { a: cycle, b: { c: cycle } })).toBe('boolean');
    }
  });

  it('never throws while validating arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 4 })), (input) => {
        const result = parseEventPattern(input);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('does not match an event that is not an object, or a hand-made invalid pattern', () => {
    const pattern = compile({ a: [{ exists: false }] });
    expect(matchesEventPattern(pattern, [])).toBe(false);
    expect(matchesEventPattern(pattern, 'text')).toBe(false);
    expect(matchesEventPattern(pattern, {})).toBe(true);
    expect(matchesEventPattern({ source: { a: 'not an array' } }, { a: 'x' })).toBe(false);
    expect(matchesEventPattern({ source: { a: ['x'] } }, { a: 'x' })).toBe(true);
  });
});
