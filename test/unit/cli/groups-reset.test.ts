import { describe, expect, it } from 'vitest';
import { parseDatetime, parseDuration, planReset } from '../../../runtime/cli/groups.ts';
import type { ResetInputs } from '../../../runtime/cli/groups.ts';

const partitions = [
  { topic: 't', partition: 0 },
  { topic: 't', partition: 1 },
];
const inputs: ResetInputs = {
  committed: new Map([['t-0', 5n]]),
  earliest: new Map([
    ['t-0', 2n],
    ['t-1', 0n],
  ]),
  latest: new Map([
    ['t-0', 10n],
    ['t-1', 4n],
  ]),
  byTimestamp: new Map([['t-0', 7n]]),
};
const offsets = (planned: ReturnType<typeof planReset>): string[] => planned.map((p) => `${p.topic}-${p.partition}@${p.offset}`);

describe('planReset', () => {
  it('computes absolute resets', () => {
    expect(offsets(planReset(partitions, { kind: 'earliest' }, inputs, () => {}))).toEqual(['t-0@2', 't-1@0']);
    expect(offsets(planReset(partitions, { kind: 'latest' }, inputs, () => {}))).toEqual(['t-0@10', 't-1@4']);
    // No record at or after the time: the log end, as Kafka does.
    expect(offsets(planReset(partitions, { kind: 'timestamp', timestamp: 0 }, inputs, () => {}))).toEqual(['t-0@7', 't-1@4']);
  });

  it('keeps explicit offsets within the log, warning as Kafka does', () => {
    const warnings: string[] = [];
    expect(offsets(planReset(partitions, { kind: 'offset', offset: 1n }, inputs, (w) => warnings.push(w)))).toEqual(['t-0@2', 't-1@1']);
    expect(offsets(planReset(partitions, { kind: 'offset', offset: 50n }, inputs, (w) => warnings.push(w)))).toEqual(['t-0@10', 't-1@4']);
    expect(warnings).toEqual([
      'New offset (1) is lower than earliest offset for topic partition t-0. Value will be set to 2',
      'New offset (50) is higher than latest offset for topic partition t-0. Value will be set to 10',
      'New offset (50) is higher than latest offset for topic partition t-1. Value will be set to 4',
    ]);
  });

  it('shifts from the committed offset and needs one', () => {
    expect(offsets(planReset([partitions[0]], { kind: 'shift', by: -2n }, inputs, () => {}))).toEqual(['t-0@3']);
    expect(offsets(planReset([partitions[0]], { kind: 'shift', by: -9n }, inputs, () => {}))).toEqual(['t-0@2']);
    expect(() => planReset(partitions, { kind: 'shift', by: 1n }, inputs, () => {})).toThrow('the group has no committed offset for t-1');
    expect(() => planReset([partitions[1]], { kind: 'current' }, inputs, () => {})).toThrow(expect.objectContaining({ code: 'NO_COMMITTED_OFFSET' }));
  });
});

describe('reset time arguments', () => {
  it('parses ISO-8601 durations as Kafka documents them', () => {
    expect(parseDuration('PT1H')).toBe(3_600_000);
    expect(parseDuration('P1DT2H30M')).toBe(95_400_000);
    expect(parseDuration('PT0.5S')).toBe(500);
    expect(() => parseDuration('1h')).toThrow("--by-duration expects an ISO-8601 duration such as PT1H or P1DT2H30M, got '1h'");
    expect(() => parseDuration('PT')).toThrow('--by-duration');
  });

  it('parses datetimes in local time unless a zone is given', () => {
    expect(parseDatetime('2020-01-02T03:04:05.678Z')).toBe(Date.UTC(2020, 0, 2, 3, 4, 5, 678));
    expect(parseDatetime('2020-01-02T03:04:05+0100')).toBe(Date.UTC(2020, 0, 2, 2, 4, 5));
    expect(parseDatetime('2020-01-02T03:04:05.000')).toBe(new Date(2020, 0, 2, 3, 4, 5).getTime());
    expect(() => parseDatetime('yesterday')).toThrow('--to-datetime expects YYYY-MM-DDTHH:mm:SS.sss');
  });
});
