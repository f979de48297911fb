// @services kafka
// `sluice produce` and `sluice consume` round trips, cross-checked with Kafka's console tools.
import { describe, expect, it } from 'vitest';
import { kafkaTool } from '../services/services.ts';
import { brokerNames, runSluice, uniqueTopic, useBroker } from './client-targets.ts';

const PRINT_ALL = ['print.key=true', 'print.headers=true', 'print.partition=true', 'print.offset=true', 'print.timestamp=true'];

describe.each(brokerNames())('sluice produce | sluice consume against %s', (broker) => {
  const bootstrap = useBroker(broker);
  const topicsCreate = async (topic: string, partitions: number): Promise<void> => {
    expect((await runSluice(['topics', '--bootstrap-server', bootstrap(), '--create', '--topic', topic, '--partitions', String(partitions)])).exitCode).toBe(0);
  };

  it('round-trips keys, headers and values; kafka-console-consumer prints the same lines', async () => {
    const topic = uniqueTopic('cli-roundtrip');
    await topicsCreate(topic, 3);
    const input = ['h1:a,h2:b\tk1:one', 'h1:c\tk2:two', 'h3:NULL\tk3:three with: colons', 'NULL\tNULL:tombstone-key-null'].join('\n');
    const produced = await runSluice(
      ['produce', '--bootstrap-server', bootstrap(), '--topic', topic, '--property', 'parse.key=true', '--property', 'key.separator=:', '--property', 'parse.headers=true', '--property', 'null.marker=NULL'],
      { input: `${input}\n` },
    );
    expect(produced, produced.stderr).toMatchObject({ exitCode: 0, stdout: '' });

    const args = ['--bootstrap-server', bootstrap(), '--topic', topic, '--from-beginning', '--max-messages', '4', '--timeout-ms', '30000'];
    const ours = await runSluice(['consume', ...args, ...PRINT_ALL.flatMap((p) => ['--property', p])]);
    expect(ours.exitCode, ours.stderr).toBe(0);
    expect(ours.stderr).toContain('Processed a total of 4 messages');
    const java = await kafkaTool('kafka-console-consumer', [...args, ...PRINT_ALL.flatMap((p) => ['--formatter-property', p])], { timeoutMs: 90_000 });
    expect(java.exitCode, java.stderr).toBe(0);
    const sorted = (text: string): string[] => text.split('\n').filter((l) => l !== '').sort();
    expect(sorted(ours.stdout)).toEqual(sorted(java.stdout));
    const fields = sorted(ours.stdout)
      .map((line) => line.split('\t').slice(3).join('|'))
      .sort();
    expect(fields).toEqual(['h1:a,h2:b|k1|one', 'h1:c|k2|two', 'h3:null|k3|three with: colons', 'NO_HEADERS|null|tombstone-key-null'].sort());
  });

  it.each(['gzip', 'snappy', 'lz4', 'zstd'])('produces %s-compressed batches that kafka-console-consumer reads', async (codec) => {
    const topic = uniqueTopic(`cli-${codec}`);
    await topicsCreate(topic, 1);
    const lines = Array.from({ length: 20 }, (_, i) => `${codec} line ${i}`);
    const produced = await runSluice(['produce', '--bootstrap-server', bootstrap(), '--topic', topic, '--compression-codec', codec], { input: `${lines.join('\n')}\n` });
    expect(produced.exitCode, produced.stderr).toBe(0);
    const java = await kafkaTool('kafka-console-consumer', ['--bootstrap-server', bootstrap(), '--topic', topic, '--from-beginning', '--max-messages', '20', '--timeout-ms', '30000'], {
      timeoutMs: 90_000,
    });
    expect(java.stdout.split('\n').filter((l) => l !== '')).toEqual(lines);
  });

  it('consumes with a group from where the previous run stopped, and the group shows no lag', async () => {
    const topic = uniqueTopic('cli-group');
    const group = uniqueTopic('cli-group');
    await topicsCreate(topic, 2);
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i}`);
    const produced = await kafkaTool('kafka-console-producer', ['--bootstrap-server', bootstrap(), '--topic', topic], { input: `${lines.join('\n')}\n`, timeoutMs: 90_000 });
    expect(produced.exitCode, produced.stderr).toBe(0);

    const first = await runSluice(['consume', '--bootstrap-server', bootstrap(), '--topic', topic, '--group', group, '--from-beginning', '--max-messages', '4', '--timeout-ms', '30000']);
    expect(first.exitCode, first.stderr).toBe(0);
    const second = await runSluice(['consume', '--bootstrap-server', bootstrap(), '--topic', topic, '--group', group, '--from-beginning', '--timeout-ms', '5000']);
    expect(second.exitCode, second.stderr).toBe(0);
    const seen = [...first.stdout.split('\n'), ...second.stdout.split('\n')].filter((l) => l !== '');
    expect(seen.sort()).toEqual([...lines].sort());

    const described = await kafkaTool('kafka-consumer-groups', ['--bootstrap-server', bootstrap(), '--describe', '--group', group], { timeoutMs: 60_000 });
    const lags = described.stdout.split('\n').filter((l) => l.startsWith(group)).map((l) => l.split(/\s+/)[5]);
    expect(lags).toEqual(['0', '0']);
  });

  it('reads one partition from a given offset without a group', async () => {
    const topic = uniqueTopic('cli-partition');
    await topicsCreate(topic, 2);
    const input = Array.from({ length: 6 }, (_, i) => `k${i}:v${i}`).join('\n');
    expect((await runSluice(['produce', '--bootstrap-server', bootstrap(), '--topic', topic, '--property', 'parse.key=true', '--property', 'key.separator=:'], { input })).exitCode).toBe(0);
    const all = await runSluice(['consume', '--bootstrap-server', bootstrap(), '--topic', topic, '--partition', '1', '--offset', 'earliest', '--timeout-ms', '3000', '--property', 'print.offset=true']);
    const fromOne = await runSluice(['consume', '--bootstrap-server', bootstrap(), '--topic', topic, '--partition', '1', '--offset', '1', '--timeout-ms', '3000', '--property', 'print.offset=true']);
    const offsets = (text: string): string[] => text.split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0]);
    expect(offsets(all.stdout).length).toBeGreaterThan(1);
    expect(offsets(fromOne.stdout)).toEqual(offsets(all.stdout).slice(1));
  });

  it('reports a line without the key separator, naming the line', async () => {
    const topic = uniqueTopic('cli-badline');
    await topicsCreate(topic, 1);
    const result = await runSluice(['produce', '--bootstrap-server', bootstrap(), '--topic', topic, '--property', 'parse.key=true'], { input: 'k\tv\nno separator here\n' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("No key separator found on line number 2: 'no separator here'");
  });
});

describe('sluice consume arguments', () => {
  it('refuses contradictory options', async () => {
    const result = await runSluice(['consume', '--topic', 't', '--group', 'g', '--partition', '0']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('--group and --partition cannot be given together');
  });
});
